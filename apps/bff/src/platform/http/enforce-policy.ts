import type { RoutePolicy } from "@insights/contracts";
import type { Request, Response } from "express";
import { authenticate, type Authenticators } from "../auth/authenticate.js";
import type { Caller } from "../auth/caller.js";
import { stateOf } from "./request-state.js";

/** Counts an authenticated request against its caller's budget; rejects with the 429 error. */
export type CallerLimit = (req: Request, res: Response, caller: Caller) => Promise<void>;

/**
 * What every matched route runs before its request is validated: authenticate the caller as
 * the route's policy demands, count it against the caller's rate limit (unless the route has
 * none), then report a body that failed to parse (so 401/403 and 429 come first). What the
 * caller may act on (the organisation in the path, a roles header) is checked once the request
 * is valid, right before its handler (`auth/authorize.ts`, called by the adapter).
 */
export function policyEnforcer(authenticators: Authenticators, limitCaller: CallerLimit) {
  return async (policy: RoutePolicy, req: Request, res: Response): Promise<void> => {
    const state = stateOf(req);
    state.caller = await authenticate(policy.auth, req, authenticators);
    if (policy.rateLimit !== "none") await limitCaller(req, res, state.caller);
    if (state.bodyError) throw state.bodyError;
  };
}
