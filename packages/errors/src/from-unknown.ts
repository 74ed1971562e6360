import { AppError } from "./app-error.js";
import { kindOfHttpStatus } from "./kinds.js";

type WithCode = { code?: unknown; type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown };

/** SQLSTATE classes and socket errors that mean "the store is not reachable right now". */
const unavailableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "53300", "57P01", "57P02", "57P03"]);

/**
 * Turns anything thrown into an AppError. Known framework and driver failures keep their
 * meaning (bad JSON is a 400, a lost database connection is "unavailable"); anything else
 * is `internal`, and its text stays in the `cause` for the log, never in the detail.
 */
export function fromUnknown(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (typeof error !== "object" || error === null) return new AppError("internal", { cause: error });
  const e = error as WithCode;

  // body-parser / raw-body errors carry a `type`.
  switch (e.type) {
    case "entity.parse.failed":
      return new AppError("invalid_argument", { reason: "malformed_body", field: "body", detail: "The request body is not valid JSON.", cause: error });
    case "entity.too.large":
      return new AppError("payload_too_large", { field: "body", detail: "The request body is too large.", cause: error });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError("unsupported_media_type", { field: "Content-Type", detail: "The request body's encoding or charset is not supported.", cause: error });
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return new AppError("invalid_argument", { reason: "malformed_body", field: "body", detail: "The request body could not be read.", cause: error });
  }

  // Express's router fails to decode a path parameter such as "%E0%A4%A" with a URIError (status 400).
  if (error instanceof URIError) {
    return new AppError("invalid_argument", { reason: "invalid_value", field: "path", detail: "The request path is not valid percent-encoding.", cause: error });
  }

  const code = typeof e.code === "string" ? e.code : undefined;
  if (code === "57014") return new AppError("timeout", { detail: "The store did not answer in time.", cause: error });
  if (code && (unavailableCodes.has(code) || code.startsWith("08"))) {
    return new AppError("unavailable", { detail: "The store is not reachable.", cause: error });
  }

  // http-errors style errors (and Express's own) with a client status: the client's fault, whatever `expose` says.
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return new AppError(kindOfHttpStatus(status), { cause: error });
  }
  return new AppError("internal", { cause: error });
}
