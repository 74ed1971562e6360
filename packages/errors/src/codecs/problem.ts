import { AppError } from "../app-error.js";
import { errorHeaders, objectOrEmpty, stringOrUndefined, type ErrorCodec } from "../codec.js";
import { errorKinds, httpStatusOfKind, invalidReasons, kindOfHttpStatus, type ErrorKind, type InvalidReason } from "../kinds.js";
import type { ProblemBodySchema } from "../wire-schemas.js";
import type { z } from "zod";

/** RFC 9457 problem details for the BFF's own API. `type` names the kind, `code` refines it. */
export const PROBLEM_TYPE_PREFIX = "urn:insights:problem:";

const titles: Record<ErrorKind, string> = {
  invalid_argument: "Invalid argument",
  unauthenticated: "Authentication required",
  permission_denied: "Permission denied",
  not_found: "Not found",
  conflict: "Conflict",
  unprocessable: "Unprocessable request",
  rate_limited: "Too many requests",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  method_not_allowed: "Method not allowed",
  unavailable: "Service unavailable",
  timeout: "Timeout",
  internal: "Internal error",
};

/**
 * What a server-side failure tells the client: a fixed text per kind, never the error's own
 * detail (which may describe internals). The `instance` ties it to our log line.
 */
const serverSideDetails: Partial<Record<ErrorKind, string>> = {
  internal: "An unexpected error occurred; quote the instance when reporting it.",
  unavailable: "The service is temporarily unavailable; retry later.",
  timeout: "The answer did not come in time; retry later.",
};

export type ProblemBody = z.infer<typeof ProblemBodySchema>;

/** What a problem details body names the request by: RFC 9457 `instance`, our request id. */
export type ProblemContext = { instance?: string | undefined };

export const problemCodec: ErrorCodec<ProblemContext> = {
  family: "problem",
  render(error, context) {
    const status = httpStatusOfKind[error.kind];
    const body: ProblemBody = { type: PROBLEM_TYPE_PREFIX + error.kind.replaceAll("_", "-"), title: titles[error.kind], status };
    const detail = status < 500 ? error.detail : serverSideDetails[error.kind];
    if (detail !== undefined) body.detail = detail;
    if (context.instance) body.instance = context.instance;
    if (error.vendorCode !== undefined) body.code = error.vendorCode;
    if (error.field !== undefined) body["invalid-params"] = [{ name: error.field, ...(error.reason ? { reason: error.reason } : {}) }];
    return { status, headers: errorHeaders(error, "application/problem+json"), body };
  },
  parse(status, body) {
    const b = objectOrEmpty(body);
    const type = stringOrUndefined(b.type);
    const named = type?.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length).replaceAll("-", "_") : undefined;
    const kind = (errorKinds as readonly string[]).includes(named ?? "") ? (named as ErrorKind) : kindOfHttpStatus(status);
    const param = objectOrEmpty(Array.isArray(b["invalid-params"]) ? b["invalid-params"][0] : undefined);
    const reason = stringOrUndefined(param.reason);
    return new AppError(kind, {
      vendorCode: stringOrUndefined(b.code),
      detail: stringOrUndefined(b.detail),
      field: stringOrUndefined(param.name),
      reason: (invalidReasons as readonly string[]).includes(reason ?? "") ? (reason as InvalidReason) : undefined,
    });
  },
};
