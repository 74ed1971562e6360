import type { RoutePolicy } from "@insights/contracts";
import type { Request } from "express";
import { authenticate, type Authenticators } from "../auth/authenticate.js";
import { stateOf } from "./request-state.js";

/**
 * What every matched route runs before its request is validated: authenticate the caller as
 * the route's policy demands, then report a body that failed to parse (so 401/403 come first).
 */
export function policyEnforcer(authenticators: Authenticators) {
  return async (policy: RoutePolicy, req: Request): Promise<void> => {
    const state = stateOf(req);
    state.caller = await authenticate(policy.auth, req, authenticators);
    if (state.bodyError) throw state.bodyError;
  };
}
