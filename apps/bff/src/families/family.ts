import type { OverviewSectionName } from "@insights/contracts/mobile";
import type { Store } from "@insights/store";
import type { AppRouter } from "@ts-rest/core";
import type { ZodRawShape } from "zod";
import type { ImiconnectHttpStatusMode } from "@insights/errors";
import type { ScoringConfig, SegmentsConfig } from "../config.js";
import type { UpstreamAsk } from "../mobile/upstream-sections.js";
import type { SectionProvider } from "../mobile/sections.js";
import type { FamilyDialect } from "../platform/http/family-dialect.js";
import type { RouterHandlers } from "../platform/http/ts-rest-adapter.js";
import type { FamilyUpstream } from "../platform/upstream/family-upstream.js";

/** The configuration a family's dialect is built from (IMIconnect's error status mode): `Config`'s. */
export type DialectSettings = { profilesErrorHttpStatus: ImiconnectHttpStatusMode };

/** The configuration the families read, their own sections of `Config`. */
export type FamilySettings = { scoring: ScoringConfig; segments: SegmentsConfig };

/** What the app hands a family's local handlers and sections. */
export type FamilyDependencies = { store: Store; settings: FamilySettings; now: () => Date };

/**
 * Everything one vendor family is in the BFF, exported from its folder's `index.ts` and listed
 * once in `families/index.ts`: the app mounts its routes (local handlers, or forwarded to its
 * upstream vendor), the HTTP layer asks its dialect, the upstream layer calls its vendor as its
 * upstream description says, and the mobile overview gets its section from it.
 */
export type TypedFamily<N extends string, C extends AppRouter, S extends OverviewSectionName, E extends ZodRawShape> = {
  /** Its key in `apiContract`, and its name in the configuration (`npm run admin -- upstream set --family`). */
  readonly name: N;
  /** The prefix of its variables (`SCORING` → `SCORING_PROVIDER`, `SCORING_UPSTREAM_URL`…). */
  readonly prefix: string;
  /** Its variables, spread into the app's environment schema (config.ts). */
  readonly env: E;
  /** Its routes: `apiContract[name]`. */
  readonly contract: C;
  /** Its wire dialect, as configured. */
  dialect(settings: DialectSettings): FamilyDialect;
  /** Its routes answered from the store. */
  handlers(deps: FamilyDependencies): RouterHandlers<C>;
  /** How the BFF calls its real vendor (`<FAMILY>_PROVIDER=upstream`). */
  readonly upstream: FamilyUpstream;
  /** Its section of the mobile overview: from the store, or asked of its upstream vendor. */
  readonly section: {
    readonly name: S;
    local(deps: FamilyDependencies): SectionProvider<S>;
    upstream(ask: UpstreamAsk, settings: FamilySettings): SectionProvider<S>;
  };
};

/** A family as the app lists it: its contract's types checked where it is defined (`defineFamily`). */
export type Family = TypedFamily<string, AppRouter, OverviewSectionName, ZodRawShape>;

/** Checks a family's handlers and section against its contract and section, and lists it as a `Family` (keeping its name and variables' types). */
export function defineFamily<N extends string, C extends AppRouter, S extends OverviewSectionName, E extends ZodRawShape>(family: TypedFamily<N, C, S, E>): Family & { readonly name: N; readonly env: E } {
  return family as unknown as Family & { readonly name: N; readonly env: E };
}
