import { initContract } from "@ts-rest/core";
import { categoriesContract } from "./categories.js";
import { mobileContract } from "./mobile.js";
import { importsContract } from "./imports.js";
import { profilesContract } from "./profiles.js";
import { scoringContract } from "./scoring.js";
import { segmentsContract } from "./segments.js";
import { systemContract } from "./system.js";

const c = initContract();

/** Every route the BFF serves, composed once. */
export const apiContract = c.router({
  system: systemContract,
  scoring: scoringContract,
  segments: segmentsContract,
  categories: categoriesContract,
  profiles: profilesContract,
  mobile: mobileContract,
  imports: importsContract,
});
export type ApiContract = typeof apiContract;

export { familyOfPath, familyPrefixes } from "./families.js";
export {
  apiKeyRoute,
  bearerRoute,
  bearerRouteWithHeaders,
  boundBearerRoute,
  documentedHeaderName,
  hasStreamedBody,
  organisationRoute,
  policyOf,
  publicRoute,
  routePolicy,
  streamedBody,
  type ApiKeyAuth,
  type AuthOf,
  type AuthPolicy,
  type BearerAuth,
  type BoundBearerAuth,
  type PublicAuth,
  type RateLimitBucket,
  type RolesPolicy,
  type RouteMetadata,
  type RoutePolicy,
  type TokenBinding,
  type UnboundBearerAuth,
} from "./policy.js";
export { ProblemSchema, type Problem } from "./problem.js";
