import { categoriesContract, MAX_HISTORY_ENTRIES } from "@insights/contracts/categories";
import { masstackCodes } from "@insights/errors";
import type { FamilyUpstream } from "../upstream/family-upstream.js";
import { nextHistoryLink, vendorNextCursor } from "./history-link.js";

/**
 * MasStack categories in front of the real vendor: the caller's bearer token, or the BFF's own
 * (`CATEGORIES_UPSTREAM_TOKEN`); `x-auth-roles` is one of the contract's headers and goes along.
 * Only the reads are retried; the history's `Link` to its next page comes back.
 */
export const categoriesUpstream: FamilyUpstream = {
  family: "masstack",
  contract: categoriesContract,
  readOnly: ["getCustomerCategoryHistory", "listCustomerCategories", "getCustomerCategory", "listCategories"],
  identifiers: (_route, { params }) =>
    typeof params.customer_id === "string" ? [{ kind: "masstack_customer_id", value: params.customer_id, unknown: () => masstackCodes.error("MCUS.999.997") }] : [],
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
