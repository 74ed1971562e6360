import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { stateOf, type RequestState } from "./request-state.js";

/**
 * One access line per request, written when the response is done — at `info` (`error` for a
 * 5xx, `warn` when the client went away first) and only when that level is enabled. No child
 * logger per request and nothing serialised for a line the level drops: at `warn` a request
 * costs a timestamp and a listener. The path is logged without its query, which can carry
 * identifiers.
 */
export function accessLog(logger: Logger, extraFields: (state: RequestState) => Record<string, unknown> | undefined): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once("close", () => {
      const aborted = !res.writableFinished;
      const level = aborted ? "warn" : res.statusCode >= 500 ? "error" : "info";
      if (!logger.isLevelEnabled(level)) return;
      const state = stateOf(req);
      logger[level](
        {
          req: { id: state.requestId, method: req.method, path: req.originalUrl.split("?", 1)[0] },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
          ...extraFields(state),
        },
        aborted ? "request aborted" : "request completed",
      );
    });
    next();
  };
}
