import { fromUnknown, AppError } from "@insights/errors";
import express, { type Request, type RequestHandler } from "express";
import type { FamilyDialect, FamilyDialects } from "./family-dialect.js";
import { stateOf } from "./request-state.js";

const JSON_TYPES = ["application/json", "application/*+json"];

function hasBody(req: Request): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

const malformed = () => new AppError("invalid_argument", { reason: "malformed_body", field: "body", detail: "The request body is not valid JSON." });

/** JSON, or else the other form the family accepts (its dialect's `lenientJson`), if any. */
function parseJson(text: string, dialect: FamilyDialect): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const rewritten = dialect.lenientJson?.(text);
    if (rewritten === undefined) throw malformed();
    try {
      return JSON.parse(rewritten);
    } catch {
      throw malformed();
    }
  }
}

/**
 * JSON bodies only, up to `limit`. A request without a body gets `req.body === undefined` (so a
 * route that requires one answers 400). Failures are not thrown here: they are kept on the
 * request state and raised after authentication, so 401/403 still come first.
 */
export function jsonBody(limit: string, dialects: FamilyDialects, isStreamed: (req: Request) => boolean = () => false): RequestHandler {
  const readText = express.text({ limit, type: JSON_TYPES, defaultCharset: "utf-8" });
  return (req, res, next) => {
    const state = stateOf(req);
    // A streamed body (an import upload) is left unread for its handler.
    if (isStreamed(req)) return next();
    if (!hasBody(req)) {
      req.body = undefined;
      return next();
    }
    if (!req.is(JSON_TYPES)) {
      state.bodyError = new AppError("unsupported_media_type", { field: "Content-Type", detail: "The request body must be application/json." });
      req.body = undefined;
      // Drain the unread body so the connection can be reused.
      req.resume();
      return next();
    }
    readText(req, res, (error?: unknown) => {
      try {
        if (error) throw fromUnknown(error);
        req.body = parseJson(String(req.body ?? ""), dialects.of(state.family));
      } catch (failure) {
        state.bodyError = fromUnknown(failure);
        req.body = undefined;
      }
      next();
    });
  };
}
