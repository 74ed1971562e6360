import type { Store } from "@insights/store";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.js";
import type { BreakerState } from "./breaker.js";
import type { UpstreamConfig } from "./config.js";
import type { FamilyUpstream } from "./family-upstream.js";
import type { CredentialFamily } from "./organisation-access.js";
import { createUpstream, type Upstream } from "./upstream-client.js";

/** A family as the upstream layer is given it: its name in the configuration, and how to call its vendor. */
export type UpstreamFamilyEntry<F extends string = string> = { readonly name: F; readonly upstream: FamilyUpstream };

/** The upstream of each family whose provider is `upstream` (absent: the family is answered locally). */
export type Upstreams = {
  of(family: string): Upstream | undefined;
  /** Each upstream's breaker state, for /readyz. */
  states(): Record<string, BreakerState>;
  close(): Promise<void>;
};

/** The upstream of each family given whose provider is `upstream`. */
export function createUpstreams<F extends CredentialFamily>(config: UpstreamConfig<F>, families: readonly UpstreamFamilyEntry<F>[], deps: { metrics: Metrics; logger: Logger; store: Store }): Upstreams {
  const upstreams = new Map<string, Upstream>();
  for (const family of families) {
    const settings = config.families[family.name];
    if (settings.provider !== "upstream") continue;
    upstreams.set(
      family.name,
      createUpstream(settings, family.upstream, {
        ...deps,
        breaker: { failures: config.breakerFailures, resetMs: config.breakerResetMs },
        maxResponseBytes: config.maxResponseBytes,
        credentialsKey: config.credentialsKey,
      }),
    );
  }
  return {
    of: (family) => upstreams.get(family),
    states: () => Object.fromEntries([...upstreams].map(([family, upstream]) => [family, upstream.breakerState()])),
    close: async () => {
      await Promise.all([...upstreams.values()].map((upstream) => upstream.close()));
    },
  };
}
