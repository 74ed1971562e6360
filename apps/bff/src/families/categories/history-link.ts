import { HistoryPageQuerySchema } from "@insights/contracts/categories";

/**
 * The `Link` to the next page of a customer's category history, on our own route: the one
 * builder for the history we serve and for the one a vendor serves through us — whose `Link`
 * gives only its cursor (a vendor's host, path or other parameters never reach a client).
 */
export function nextHistoryLink(orgId: string, customerId: string, limit: number, cursor: string): string {
  return `</v4/orgs/${encodeURIComponent(orgId)}/customers/${encodeURIComponent(customerId)}/categories/historical?limit=${limit}&cursor=${cursor}>; rel="next"`;
}

/** The cursor of a vendor's `Link: <…>; rel="next"`, when it is one our route accepts. */
export function vendorNextCursor(link: string): string | undefined {
  const match = /^<([^<>]{1,4096})>\s*;\s*rel="?next"?$/i.exec(link.trim());
  if (!match) return undefined;
  let target: URL;
  try {
    target = new URL(match[1] as string, "http://vendor.invalid");
  } catch {
    return undefined;
  }
  const cursor = target.searchParams.get("cursor");
  return cursor !== null && HistoryPageQuerySchema.shape.cursor.safeParse(cursor).success ? cursor : undefined;
}
