import type { UpstreamFamilyConfiguration, VendorCredential } from "../platform/upstream/config.js";
import { categoriesFamily } from "./categories/index.js";
import { profilesFamily } from "./profiles/index.js";
import { scoringFamily } from "./scoring/index.js";
import { segmentsFamily } from "./segments/index.js";

export { type DialectSettings, type Family, type FamilyDependencies, type FamilySettings } from "./family.js";

/**
 * The vendor families the BFF serves, each once: the app mounts their routes and dialects, the
 * upstream layer and the mobile overview loop over this list, and the configuration reads their
 * variables. A new family is a folder beside these and one entry here.
 */
export const families = [scoringFamily, segmentsFamily, categoriesFamily, profilesFamily] as const;

type Listed = (typeof families)[number];

/** A family's name: its key in `apiContract` and in the upstream configuration. */
export type UpstreamFamily = Listed["name"];

/** The families' names, in the order listed. */
export const upstreamFamilies = families.map((family) => family.name) as [UpstreamFamily, ...UpstreamFamily[]];

/** The prefix of each family's variables (`SCORING_PROVIDER`…). */
export const prefixOf = Object.fromEntries(families.map((family) => [family.name, family.prefix])) as Record<UpstreamFamily, string>;

/** How each family's vendor takes a credential: OAuth2 client credentials, or one fixed secret in a header. */
export const credentialKindOf = Object.fromEntries(families.map((family) => [family.name, family.upstream.credentials.kind])) as Record<UpstreamFamily, VendorCredential["kind"]>;

/** What the upstream configuration reads of each family: its name, prefix and credential scheme. */
export const upstreamFamilyConfigurations: readonly UpstreamFamilyConfiguration<UpstreamFamily>[] = families.map((family) => ({
  name: family.name,
  prefix: family.prefix,
  credentials: family.upstream.credentials,
}));

type Intersection<U> = (U extends unknown ? (shape: U) => void : never) extends (shape: infer I) => void ? I : never;

/** Every family's variables, for the app's environment schema. */
export const familiesEnvShape = Object.assign({}, ...families.map((family) => family.env)) as Intersection<Listed["env"]>;
