import { randomUUID } from "node:crypto";
import { familyOfPath } from "@insights/contracts";
import { X_CORRELATOR_PATTERN } from "@insights/contracts/scoring";
import type { AppError, Family, RenderContext } from "@insights/errors";
import type { Request, RequestHandler } from "express";
import { anonymous, type Caller } from "../auth/caller.js";

/** What the pipeline knows about one request; kept off `req` so it stays typed. */
export type RequestState = {
  /** Our id for the request: logged with every line, returned as `x-request-id`. */
  requestId: string;
  /** Whose wire format answers this request (by path prefix). */
  family: Family;
  caller: Caller;
  /** IMIconnect transaction id, fresh per request. */
  transid: string;
  /** A body that failed to parse: reported after authentication (401/403 come first). */
  bodyError: AppError | undefined;
};

const states = new WeakMap<Request, RequestState>();

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function stateOf(req: Request): RequestState {
  let state = states.get(req);
  if (!state) {
    // Only reached for failures raised before the state middleware ran.
    state = { requestId: randomUUID(), family: familyOfPath(req.path), caller: anonymous, transid: randomUUID(), bodyError: undefined };
    states.set(req, state);
  }
  return state;
}

/** Assigns the request id and family, and echoes the headers each family echoes on every response. */
export function requestState(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    const state = stateOf(req);
    if (incoming && REQUEST_ID.test(incoming)) state.requestId = incoming;
    res.setHeader("x-request-id", state.requestId);
    const correlator = echoableCorrelator(req);
    if (state.family === "camara" && correlator) res.setHeader("x-correlator", correlator);
    next();
  };
}

/**
 * CAMARA echoes a non-empty x-correlator on every response, errors included — but only one that
 * matches its pattern: the official document's header schema allows no other value, so a
 * correlator that breaks it gets its 400 without the echo.
 */
function echoableCorrelator(req: Request): string | undefined {
  const value = req.get("x-correlator");
  return value && X_CORRELATOR_PATTERN.test(value) ? value : undefined;
}

/** What the error codecs may echo for this request. Values that break their pattern are never echoed. */
export function renderContextOf(req: Request, now: Date): RenderContext {
  const state = stateOf(req);
  const uuid = req.get("uuid");
  return {
    correlator: echoableCorrelator(req),
    requestUuid: uuid && UUID.test(uuid) ? uuid : undefined,
    transid: state.transid,
    instance: state.requestId,
    now,
  };
}
