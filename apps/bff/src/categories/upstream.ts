import { categoriesContract } from "@insights/contracts/categories";
import type { FamilyUpstream } from "../upstream/family-upstream.js";

/**
 * MasStack categories in front of the real vendor: the caller's bearer token, or the BFF's own
 * (`CATEGORIES_UPSTREAM_TOKEN`); `x-auth-roles` is one of the contract's headers and goes along.
 * Only the reads are retried; the history's `Link` to its next page comes back.
 */
export const categoriesUpstream: FamilyUpstream = {
  family: "masstack",
  contract: categoriesContract,
  readOnly: ["getCustomerCategoryHistory", "listCustomerCategories", "getCustomerCategory", "listCategories"],
  callerCredentialHeaders: ["authorization"],
  correlation: () => ({}),
  responseHeaders: ["link"],
  // The next page is ours to serve: a link to the vendor's host keeps only its path and query.
  ourResponseHeaders: ({ link, ...rest }) => {
    if (link === undefined) return rest;
    const relative = link.replace(/^<https?:\/\/[^/>]+(\/[^>]*)>/, "<$1>");
    return /^<\/v4\/[^>]*>; rel="next"$/.test(relative) ? { ...rest, link: relative } : rest;
  },
};
