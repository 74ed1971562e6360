import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE } from "@insights/contracts/categories";
import { masstackCodes } from "@insights/errors";
import type { Caller } from "../auth/caller.js";

export type CategoryAccess = "read" | "write";

/**
 * What each `x-auth-roles` role allows. A role can only narrow what the token's scopes allow:
 * `API_KEY` (the value the vendor's examples send) keeps the token's rights, `CATEGORIES_READER`
 * keeps reading, `CATEGORIES_WRITER` reading and writing. Unknown roles allow nothing.
 */
const allowedByRole: ReadonlyMap<string, readonly CategoryAccess[]> = new Map([
  ["API_KEY", ["read", "write"]],
  ["CATEGORIES_READER", ["read"]],
  ["CATEGORIES_WRITER", ["read", "write"]],
]);

const scopeOf: Record<CategoryAccess, string> = { read: CATEGORIES_READ_SCOPE, write: CATEGORIES_WRITE_SCOPE };

/**
 * The caller acting on `orgId`: its token must belong to that organisation and allow `access`
 * (the route's policy already required the scope), and its roles, if sent, must allow it too.
 * Returns the subject recorded as the actor of changes.
 */
export function authorizeCategoryAccess(caller: Caller, orgId: string, access: CategoryAccess, rolesHeader: string | undefined): string {
  if (caller.kind !== "token" || !caller.scopes.has(scopeOf[access])) throw masstackCodes.error("MCUS.999.995");
  if (caller.orgId !== orgId) throw masstackCodes.error("MCUS.999.995", { detail: "The token does not belong to this organisation" });
  if (rolesHeader !== undefined) {
    const roles = rolesHeader.split(",").map((r) => r.trim());
    if (!roles.some((role) => allowedByRole.get(role)?.includes(access))) {
      throw masstackCodes.error("MCUS.999.995", { detail: `x-auth-roles does not allow ${access}` });
    }
  }
  return caller.subject;
}
