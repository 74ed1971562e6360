import { AppError } from "../app-error.js";
import { kindOfHttpStatus } from "../kinds.js";
import type { CamaraErrorBodySchema } from "../wire-schemas.js";
import type { z } from "zod";
import { CodeTable, errorHeaders, objectOrEmpty, stringOrUndefined, type CodeEntry, type ErrorCodec } from "../codec.js";

/**
 * CAMARA Customer Insights v0.2.0 (seed 000): `{status, code, message}`, `status` equal to
 * the HTTP status. The seed's codes and messages verbatim; the framework-level codes that
 * API does not list (405, 409, 500, 503, 504) come from CAMARA Commonalities. Client errors
 * the document has no status for (413, 415) are 400 INVALID_ARGUMENT, so every answer to a
 * scoring request validates against the official OpenAPI document.
 */
const entries = {
  INVALID_ARGUMENT: { status: 400, kind: "invalid_argument", message: "Client specified an invalid argument, request body or query param" },
  UNAUTHENTICATED: { status: 401, kind: "unauthenticated", message: "Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required." },
  PERMISSION_DENIED: { status: 403, kind: "permission_denied", message: "Client does not have sufficient permissions to perform this action." },
  NOT_FOUND: { status: 404, kind: "not_found", message: "The specified resource is not found." },
  IDENTIFIER_NOT_FOUND: { status: 404, kind: "not_found", message: "phoneNumber not found." },
  SERVICE_NOT_APPLICABLE: { status: 422, kind: "unprocessable", message: "The service is not available for the provided identifier." },
  MISSING_IDENTIFIER: { status: 422, kind: "unprocessable", message: "The phone number cannot be identified." },
  UNNECESSARY_IDENTIFIER: { status: 422, kind: "unprocessable", message: "The phone number is already identified by the access token." },
  "CUSTOMER_INSIGHTS.SCALE_TYPE_NOT_SUPPORTED": { status: 422, kind: "unprocessable", message: "Indicated parameter `scoringType` is not supported." },
  "CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS": { status: 422, kind: "unprocessable", message: "The request contains invalid data." },
  "CUSTOMER_INSIGHTS.ID_DOCUMENT_NOT_SUPPORTED": { status: 422, kind: "unprocessable", message: "Indicated parameter `idDocument` is not supported" },
  "CUSTOMER_INSIGHTS.ID_DOCUMENT_REQUIRED": { status: 422, kind: "unprocessable", message: "The `idDocument` is required to perform the properties validation." },
  TOO_MANY_REQUESTS: { status: 429, kind: "rate_limited", message: "Rate limit reached." },
  // CAMARA Commonalities, for failures the API document does not enumerate.
  METHOD_NOT_ALLOWED: { status: 405, kind: "method_not_allowed", message: "The requested method is not allowed/supported on the target resource." },
  CONFLICT: { status: 409, kind: "conflict", message: "A specified resource duplicate entry found." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: "unsupported_media_type", message: "The server refuses to accept the request because the payload format is in an unsupported format." },
  INTERNAL: { status: 500, kind: "internal", message: "Unknown server error. Typically a server bug." },
  UNAVAILABLE: { status: 503, kind: "unavailable", message: "Service Unavailable." },
  TIMEOUT: { status: 504, kind: "timeout", message: "Request timeout exceeded." },
} as const satisfies Record<string, CodeEntry>;

export const camaraCodes = new CodeTable<CodeEntry, keyof typeof entries>(entries, {
  invalid_argument: "INVALID_ARGUMENT",
  // The v0.2.0 document has no 413 or 415: an over-limit or non-JSON body is an invalid request body.
  payload_too_large: "INVALID_ARGUMENT",
  unsupported_media_type: "INVALID_ARGUMENT",
  unauthenticated: "UNAUTHENTICATED",
  permission_denied: "PERMISSION_DENIED",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  unprocessable: "SERVICE_NOT_APPLICABLE",
  rate_limited: "TOO_MANY_REQUESTS",
  method_not_allowed: "METHOD_NOT_ALLOWED",
  unavailable: "UNAVAILABLE",
  timeout: "TIMEOUT",
  internal: "INTERNAL",
});

export type CamaraErrorBody = z.infer<typeof CamaraErrorBodySchema>;

/** What a CAMARA error echoes of the request: its `x-correlator` header (when non-empty). */
export type CamaraContext = { correlator?: string | undefined };

export const camaraCodec: ErrorCodec<CamaraContext> = {
  family: "camara",
  render(error, context) {
    const code = camaraCodes.codeFor(error);
    const entry = camaraCodes.entry(code);
    // Only syntax errors carry their specific detail; every other code keeps the documented text.
    const message = entry.kind === "invalid_argument" && error.detail ? error.detail : entry.message;
    const headers = errorHeaders(error, "application/json");
    if (context.correlator) headers["x-correlator"] = context.correlator;
    const body: CamaraErrorBody = { status: entry.status, code, message };
    return { status: entry.status, headers, body };
  },
  parse(status, body) {
    const b = objectOrEmpty(body);
    const code = stringOrUndefined(b.code);
    const entry = camaraCodes.lookup(code);
    const message = stringOrUndefined(b.message);
    if (!entry) return new AppError(kindOfHttpStatus(status), { vendorCode: code, detail: message });
    return new AppError(entry.kind, { vendorCode: code, detail: message === entry.message ? undefined : message });
  },
};
