import { categoriesContract, MAX_HISTORY_ENTRIES } from "@insights/contracts/categories";
import { masstackCodec, masstackCodes } from "@insights/errors";
import { headerCredentialScheme, providerEnvShape } from "../../platform/upstream/config.js";
import type { FamilyUpstream } from "../../platform/upstream/family-upstream.js";

/** The vendor takes a bearer token (CATEGORIES_UPSTREAM_TOKEN, or an organisation's). */
const credentials = headerCredentialScheme("CATEGORIES_UPSTREAM_TOKEN", 8192, (secret) => ({ kind: "header", header: "authorization", value: `Bearer ${secret}` }));

/** The family's upstream variables: CATEGORIES_PROVIDER, CATEGORIES_UPSTREAM_URL… and its token. */
export const categoriesEnvShape = { ...providerEnvShape("CATEGORIES"), ...credentials.envShape };
import { nextHistoryLink, vendorNextCursor } from "./history-link.js";

/**
 * MasStack categories in front of the real vendor: the caller's bearer token, or the BFF's own
 * (`CATEGORIES_UPSTREAM_TOKEN`); `x-auth-roles` is one of the contract's headers and goes along.
 * Only the reads are retried; the history's `Link` to its next page comes back.
 */
export const categoriesUpstream: FamilyUpstream = {
  codec: masstackCodec,
  contract: categoriesContract,
  readOnly: ["getCustomerCategoryHistory", "listCustomerCategories", "getCustomerCategory", "listCategories"],
  identifiers: (_route, { params }) =>
    typeof params.customer_id === "string" ? [{ kind: "masstack_customer_id", value: params.customer_id, unknown: () => masstackCodes.error("MCUS.999.997") }] : [],
  credentials: credentials.scheme,
  callerCredentialHeaders: ["authorization"],
  correlation: () => ({}),
  responseHeaders: ["link"],
  // The next page is ours to serve: rebuilt on the route called from the vendor's cursor alone; any other link is dropped.
  ourResponseHeaders: ({ link, ...rest }, route, { params, query }) => {
    const cursor = link === undefined || route !== "getCustomerCategoryHistory" ? undefined : vendorNextCursor(link);
    if (cursor === undefined) return rest;
    const limit = (query as { limit?: number } | undefined)?.limit ?? MAX_HISTORY_ENTRIES;
    return { ...rest, link: nextHistoryLink(String(params.org_id), String(params.customer_id), limit, cursor) };
  },
};
