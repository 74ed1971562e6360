import { PROFILE_KEY_HEADERS, ProfileResponseSchema, profilesContract } from "@insights/contracts/profiles";
import { IMICONNECT_SUCCESS_CODE } from "@insights/errors";
import type { FamilyUpstream } from "../upstream/family-upstream.js";

function objectOf(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * IMIconnect profiles in front of the real vendor: the caller's `key`/`secretKey`, or the BFF's
 * own (`PROFILES_UPSTREAM_KEY`). Our transaction id goes as `transid` and stamps the answer (as
 * every IMIconnect answer of ours); the vendor's own `transid` is logged beside our request id.
 * The vendor answers errors with HTTP 200: a body whose code is not 1000 is an error.
 */
export const profilesUpstream: FamilyUpstream = {
  family: "imiconnect",
  contract: profilesContract,
  readOnly: ["getCustomerProfile", "getCustomerProfiles"],
  callerCredentialHeaders: PROFILE_KEY_HEADERS,
  correlation: (_headers, ids) => ({ transid: ids.transactionId }),
  isErrorBody: (body) => objectOf(body).code !== IMICONNECT_SUCCESS_CODE,
  successSchema: ProfileResponseSchema,
  successBody: (body, ids) => ({ ...objectOf(body), transid: ids.transactionId }),
  upstreamIds: (body) => ({ upstreamTransid: objectOf(body).transid }),
};
