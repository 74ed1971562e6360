/**
 * The closed set of failure kinds every part of the system speaks. Vendor codecs
 * translate a kind (plus an optional vendor code) to and from their wire format.
 */
export const errorKinds = [
  "invalid_argument",
  "unauthenticated",
  "permission_denied",
  "not_found",
  "conflict",
  "unprocessable",
  "rate_limited",
  "payload_too_large",
  "unsupported_media_type",
  "method_not_allowed",
  "unavailable",
  "timeout",
  "internal",
] as const;

export type ErrorKind = (typeof errorKinds)[number];

/** The HTTP status each kind has when a format does not say otherwise (RFC 9457, `http` mode). */
export const httpStatusOfKind: Record<ErrorKind, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

/** The kind a bare HTTP status stands for, used when parsing a body whose code is unknown. */
export function kindOfHttpStatus(status: number): ErrorKind {
  const exact = (Object.entries(httpStatusOfKind) as [ErrorKind, number][]).find(([, s]) => s === status);
  if (exact) return exact[0];
  if (status === 408) return "timeout";
  if (status === 502) return "unavailable";
  if (status >= 400 && status < 500) return "invalid_argument";
  return "internal";
}

/**
 * Why an argument was refused, for formats that tell these apart
 * (IMIconnect: 7000 vs 7003 vs 7011; Citibanamex: type `invalid` vs `error`).
 */
export const invalidReasons = ["malformed_body", "missing", "unknown_field", "invalid_value"] as const;
export type InvalidReason = (typeof invalidReasons)[number];
