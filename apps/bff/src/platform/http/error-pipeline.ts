import { AppError, fromUnknown } from "@insights/errors";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import type { FamilyDialects } from "./family-dialect.js";
import { stateOf } from "./request-state.js";
import type { RouteIndex } from "./route-index.js";

/** Unknown path → 404 in the path's family; known path, other method → 405 with Allow. */
export function unmatchedRoute(routes: RouteIndex): RequestHandler {
  return (req, _res, next) => {
    // A body that failed to parse is the first thing wrong with the request.
    const bodyError = stateOf(req).bodyError;
    if (bodyError) return next(bodyError);
    const allow = routes.allowedMethods(req.path);
    if (allow.length > 0) {
      return next(new AppError("method_not_allowed", { allow, detail: `${req.method} is not allowed here; use ${allow.join(", ")}.` }));
    }
    // The path is not echoed: it is the caller's input (markup, identifiers).
    next(new AppError("not_found", { detail: `No ${req.method} route has this path.` }));
  };
}

const SERVER_SIDE = new Set(["internal", "unavailable", "timeout"]);

/**
 * The one place a failure becomes a response: whatever was thrown is turned into an AppError
 * and rendered by the codec of the request's family, with what its dialect says the body echoes.
 * Server-side failures are logged with the request id; their text never reaches the client.
 */
export function renderErrors(dialects: FamilyDialects, logger: Logger, now: () => Date): ErrorRequestHandler {
  return (thrown, req, res, _next) => {
    const error = fromUnknown(thrown);
    const state = stateOf(req);
    if (SERVER_SIDE.has(error.kind)) {
      logger.error({ requestId: state.requestId, kind: error.kind, err: error.cause ?? error }, "request failed");
    } else {
      logger.debug({ requestId: state.requestId, error: error.toJSON() }, "request refused");
    }
    if (res.headersSent) {
      // Nothing sensible can be sent any more; cut the response short rather than corrupt it.
      res.destroy();
      return;
    }
    const dialect = dialects.of(state.family);
    const rendered = dialect.codec.render(error, { ...dialect.errorContext(req, state), now: now() });
    const payload = JSON.stringify(rendered.body);
    res.status(rendered.status);
    // setHeader, not res.set: Express would append "; charset=utf-8" to the vendor's content type.
    for (const [name, value] of Object.entries(rendered.headers)) res.setHeader(name, value);
    res.setHeader("content-length", Buffer.byteLength(payload));
    res.end(payload);
  };
}
