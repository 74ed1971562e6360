import { PROFILE_KEY_HEADERS, ProfileResponseSchema, profilesContract } from "@insights/contracts/profiles";
import { createImiconnectCodec, IMICONNECT_SUCCESS_CODE, imiconnectCodes } from "@insights/errors";
import { headerCredentialScheme, providerEnvShape } from "../../platform/upstream/config.js";
import type { FamilyUpstream } from "../../platform/upstream/family-upstream.js";

/** The vendor takes the client profile key in its `key` header (PROFILES_UPSTREAM_KEY, or an organisation's). */
const credentials = headerCredentialScheme("PROFILES_UPSTREAM_KEY", 1024, (secret) => ({ kind: "header", header: "key", value: secret }));

/** The family's upstream variables: PROFILES_PROVIDER, PROFILES_UPSTREAM_URL… and its key. */
export const profilesEnvShape = { ...providerEnvShape("PROFILES"), ...credentials.envShape };

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
  // Its errors parse alike whatever status they travel with (PROFILES_ERROR_HTTP_STATUS is how we answer).
  codec: createImiconnectCodec("vendor"),
  contract: profilesContract,
  readOnly: ["getCustomerProfile", "getCustomerProfiles"],
  identifiers: (_route, { params, query }) => {
    const single = params.customerid;
    const several = (query as { customerId?: string[] } | undefined)?.customerId ?? [];
    return [...(typeof single === "string" ? [single] : []), ...several].map((value) => ({ kind: "imiconnect_customer_id", value, unknown: () => imiconnectCodes.error("7014") }));
  },
  // Several profiles: as locally, another organisation's customers are left out like unknown ones (all of them: 7014).
  withoutIdentifiers: (route, request, others) => {
    const query = request.query as { customerId?: string[] } | undefined;
    if (route !== "getCustomerProfiles" || !query?.customerId) return undefined;
    const left = query.customerId.filter((id) => !others.some((other) => other.value === id));
    return left.length === 0 ? undefined : { ...request, query: { ...query, customerId: left } };
  },
  credentials: credentials.scheme,
  callerCredentialHeaders: PROFILE_KEY_HEADERS,
  correlation: (_headers, ids) => ({ transid: ids.transactionId }),
  isErrorBody: (body) => objectOf(body).code !== IMICONNECT_SUCCESS_CODE,
  successSchema: ProfileResponseSchema,
  successBody: (body, ids) => ({ ...objectOf(body), transid: ids.transactionId }),
  upstreamIds: (body) => ({ upstreamTransid: objectOf(body).transid }),
};
