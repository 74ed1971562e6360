import { randomUUID } from "node:crypto";
import { familyOfPath } from "@insights/contracts";
import type { AppError, Family } from "@insights/errors";
import type { Request, RequestHandler } from "express";
import { anonymous, type Caller } from "../auth/caller.js";
import type { FamilyDialects, RequestIds } from "./family-dialect.js";

/** What the pipeline knows about one request; kept off `req` so it stays typed. */
export type RequestState = RequestIds & {
  /** Whose wire format answers this request (by path prefix); its dialect is asked what differs. */
  family: Family;
  caller: Caller;
  /** A body that failed to parse: reported after authentication (401/403 come first). */
  bodyError: AppError | undefined;
  /** When the request arrived (`performance.now()`): its time budget counts from here. */
  receivedAt: number;
};

const states = new WeakMap<Request, RequestState>();

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function stateOf(req: Request): RequestState {
  let state = states.get(req);
  if (!state) {
    // Only reached for failures raised before the state middleware ran.
    state = { requestId: randomUUID(), family: familyOfPath(req.path), caller: anonymous, transactionId: randomUUID(), bodyError: undefined, receivedAt: performance.now() };
    states.set(req, state);
  }
  return state;
}

/** Assigns the request id and family, and echoes the headers the family echoes on every response. */
export function requestState(dialects: FamilyDialects): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const state = stateOf(req);
    if (incoming && REQUEST_ID.test(incoming)) state.requestId = incoming;
    res.setHeader("x-request-id", state.requestId);
    dialects.of(state.family).echoHeaders?.(req, res);
    next();
  };
}
