import { fromUnknown, AppError } from "@insights/errors";
import express, { type RequestHandler } from "express";
import { stateOf } from "./request-state.js";

const JSON_TYPES = ["application/json", "application/*+json"];

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

/**
 * JSON bodies only, up to `limit`. A request without a body gets `req.body === undefined` (so a
 * route that requires one answers 400). Parse failures are not thrown here: they are kept on
 * the request state and raised after authentication, so 401/403 still come first.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, strict: true, type: JSON_TYPES });
  return (req, res, next) => {
    if (!hasBody(req)) {
      req.body = undefined;
      return next();
    }
    if (!req.is(JSON_TYPES)) {
      stateOf(req).bodyError = new AppError("unsupported_media_type", {
        field: "Content-Type",
        detail: "The request body must be application/json.",
      });
      req.body = undefined;
      // Drain the unread body so the connection can be reused.
      req.resume();
      return next();
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        stateOf(req).bodyError = fromUnknown(error);
        req.body = undefined;
      }
      next();
    });
  };
}
