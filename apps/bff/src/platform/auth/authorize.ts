import type { AuthPolicy } from "@insights/contracts";
import { AppError } from "@insights/errors";
import type { Caller } from "./caller.js";

/** The parts of a validated request a policy can constrain beyond its credential. */
export type AuthorizedInput = { params: unknown; headers: unknown };

export type RequestAuthorizer = (caller: Caller, input: AuthorizedInput) => void;

/**
 * What a route's policy asks of a request once its credential is established and the request is
 * valid: the organisation its path names (`organisationParam`) is the caller's own, and the roles
 * header (`roles`), when sent, names a role that allows the route — else 403, which each family
 * renders in its own format. Built once per route; undefined when the policy asks for neither.
 */
export function requestAuthorizer(policy: AuthPolicy): RequestAuthorizer | undefined {
  if (policy.scheme !== "bearer" || (policy.organisationParam === undefined && policy.roles === undefined)) return undefined;
  const { organisationParam, roles } = policy;
  // Role names come from the caller: looked up in a Set, never as keys of a plain object.
  const allowing: ReadonlySet<string> = new Set(roles?.allowedBy);
  return (caller, { params, headers }) => {
    if (organisationParam !== undefined) {
      const organisation = (params as Readonly<Record<string, unknown>>)[organisationParam];
      if (caller.kind === "anonymous" || caller.orgId !== organisation) {
        throw new AppError("permission_denied", { detail: "The token does not belong to this organisation" });
      }
    }
    if (roles === undefined) return;
    const sent = (headers as Readonly<Record<string, unknown>>)[roles.header];
    if (typeof sent !== "string") return;
    if (!sent.split(",").some((role) => allowing.has(role.trim()))) {
      throw new AppError("permission_denied", { detail: `${roles.header} does not allow ${roles.access}` });
    }
  };
}
