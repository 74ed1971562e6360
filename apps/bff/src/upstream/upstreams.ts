import type { Store } from "@insights/store";
import type { Logger } from "pino";
import { categoriesUpstream } from "../categories/upstream.js";
import type { Metrics } from "../metrics/metrics.js";
import { profilesUpstream } from "../profiles/upstream.js";
import { scoringUpstream } from "../scoring/upstream.js";
import { segmentsUpstream } from "../segments/upstream.js";
import type { BreakerState } from "./breaker.js";
import { upstreamFamilies, type UpstreamConfig, type UpstreamFamily } from "./config.js";
import type { FamilyUpstream } from "./family-upstream.js";
import { createUpstream, type Upstream } from "./upstream-client.js";

const specs: Record<UpstreamFamily, FamilyUpstream> = {
  scoring: scoringUpstream,
  segments: segmentsUpstream,
  categories: categoriesUpstream,
  profiles: profilesUpstream,
};

/** The upstream of each family whose provider is `upstream` (absent: the family is answered locally). */
export type Upstreams = {
  of(family: UpstreamFamily): Upstream | undefined;
  /** Each upstream's breaker state, for /readyz. */
  states(): Record<string, BreakerState>;
  close(): Promise<void>;
};

export function createUpstreams(config: UpstreamConfig, deps: { metrics: Metrics; logger: Logger; store: Store }): Upstreams {
  const upstreams = new Map<UpstreamFamily, Upstream>();
  for (const family of upstreamFamilies) {
    const settings = config.families[family];
    if (settings.provider !== "upstream") continue;
    upstreams.set(
      family,
      createUpstream(settings, specs[family], {
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
