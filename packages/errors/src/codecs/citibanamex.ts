import { AppError } from "../app-error.js";
import { CodeTable, errorHeaders, objectOrEmpty, stringOrUndefined, type CodeEntry, type ErrorCodec } from "../codec.js";
import { kindOfHttpStatus } from "../kinds.js";
import type { CitibanamexErrorBodySchema, citibanamexErrorTypes } from "../wire-schemas.js";
import type { z } from "zod";

export type CitibanamexErrorType = (typeof citibanamexErrorTypes)[number];

type CitibanamexEntry = CodeEntry & { type: CitibanamexErrorType; moreInfo?: string };

/** Citibanamex customer segment API (seed 001): the seed's tables, plus 429 (ours, documented in docs/errors.md). */
const entries = {
  invalidRequest: { status: 400, kind: "invalid_argument", type: "error", message: "Missing or invalid Parameters" },
  unAuthorized: { status: 401, kind: "unauthenticated", type: "error", message: "Authorization credentials are missing or invalid" },
  accessNotConfigured: {
    status: 403,
    kind: "permission_denied",
    type: "error",
    message: "The request operation is not configured to access this resource",
    moreInfo: "Channel/Country/Business provided in the request is not supported currently",
  },
  resourceNotFound: { status: 404, kind: "not_found", type: "error", message: "The requested resource was not found", moreInfo: "Empty resource/resource not found" },
  businessValidationFailed: { status: 422, kind: "unprocessable", type: "error", message: "Business validation error occured on one or more parameters" },
  tooManyRequests: { status: 429, kind: "rate_limited", type: "error", message: "Too many requests, retry after the time given in Retry-After" },
  serverUnavailable: { status: 500, kind: "internal", type: "fatal", message: "The request failed due to an internal error/server unavailability" },
} as const satisfies Record<string, CitibanamexEntry>;

export const citibanamexCodes = new CodeTable<CitibanamexEntry, keyof typeof entries>(entries, {
  invalid_argument: "invalidRequest",
  payload_too_large: "invalidRequest",
  unsupported_media_type: "invalidRequest",
  unauthenticated: "unAuthorized",
  permission_denied: "accessNotConfigured",
  not_found: "resourceNotFound",
  method_not_allowed: "resourceNotFound",
  conflict: "businessValidationFailed",
  unprocessable: "businessValidationFailed",
  rate_limited: "tooManyRequests",
  unavailable: "serverUnavailable",
  timeout: "serverUnavailable",
  internal: "serverUnavailable",
});

export type CitibanamexErrorBody = z.infer<typeof CitibanamexErrorBodySchema>;

/** A request that did not conform to the specification at all is `invalid`; the rest keep the table's type. */
function typeFor(error: AppError, entry: CitibanamexEntry): CitibanamexErrorType {
  if (entry.status === 400 && (error.reason === "malformed_body" || error.kind !== "invalid_argument")) return "invalid";
  return entry.type;
}

/** What a Citibanamex error names the request by: its `uuid` header (and the time, `timestamp`). */
export type CitibanamexContext = { requestUuid?: string | undefined };

export const citibanamexCodec: ErrorCodec<CitibanamexContext> = {
  family: "citibanamex",
  render(error, context) {
    const code = citibanamexCodes.codeFor(error);
    const entry = citibanamexCodes.entry(code);
    const body: CitibanamexErrorBody = {
      type: typeFor(error, entry),
      code,
      details: entry.status < 500 && error.detail ? error.detail : entry.message,
    };
    if (error.field !== undefined) body.location = error.field;
    if (entry.moreInfo !== undefined) body.moreInfo = entry.moreInfo;
    if (context.requestUuid) body.uuid = context.requestUuid;
    body.timestamp = (context.now ?? new Date()).toISOString();
    return { status: entry.status, headers: errorHeaders(error, "application/json"), body };
  },
  parse(status, body) {
    const b = objectOrEmpty(body);
    const code = stringOrUndefined(b.code);
    const entry = citibanamexCodes.lookup(code);
    const details = stringOrUndefined(b.details);
    const field = stringOrUndefined(b.location);
    if (!entry) return new AppError(kindOfHttpStatus(status), { vendorCode: code, field, detail: details });
    return new AppError(entry.kind, {
      vendorCode: code,
      field,
      detail: details === entry.message ? undefined : details,
      reason: b.type === "invalid" ? "malformed_body" : undefined,
    });
  },
};
