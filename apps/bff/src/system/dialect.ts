import { problemCodec, type ProblemContext } from "@insights/errors";
import type { FamilyDialect } from "../platform/http/family-dialect.js";

/**
 * The BFF's own API — the operational routes, the mobile API, the admin imports and any path no
 * vendor family claims: RFC 9457 problem details whose `instance` is our request id; no quirks.
 */
export const ownApiDialect: FamilyDialect<ProblemContext> = {
  family: "problem",
  codec: problemCodec,
  errorContext: (_req, ids) => ({ instance: ids.requestId }),
};
