import { AppError } from "../app-error.js";
import { CodeTable, errorHeaders, objectOrEmpty, stringOrUndefined, type CodeEntry, type ErrorCodec } from "../codec.js";
import { kindOfHttpStatus } from "../kinds.js";
import type { MasstackErrorBodySchema } from "../wire-schemas.js";
import type { z } from "zod";

type MasstackEntry = CodeEntry & { title: string };

/** The `ref` the vendor's examples carry. */
export const MASSTACK_REF = "http://";

/** MasStack MasCustomers v4 (seed 002). MCUS.999.993 (429) is ours: the vendor documents no rate-limit code. */
const entries = {
  "MCUS.999.998": { status: 400, kind: "invalid_argument", title: "Bad request", message: "Bad request" },
  "MCUS.999.996": { status: 401, kind: "unauthenticated", title: "Unauthorized", message: "Unauthorized" },
  "MCUS.999.995": { status: 403, kind: "permission_denied", title: "Forbidden", message: "Forbidden" },
  "MCUS.999.997": { status: 404, kind: "not_found", title: "Resource not found", message: "Resource not found" },
  "MCUS.999.994": { status: 409, kind: "conflict", title: "Conflict", message: "The resource already exists" },
  "MCUS.999.993": { status: 429, kind: "rate_limited", title: "Too many requests", message: "Too many requests" },
  "MCUS.999.999": { status: 500, kind: "internal", title: "Unexpected error", message: "Unexpected error" },
  "MCUS.001.005": { status: 503, kind: "unavailable", title: "Database error", message: "Connection lost" },
  "MCUS.001.009": { status: 504, kind: "timeout", title: "Database error", message: "Statement timeout" },
} as const satisfies Record<string, MasstackEntry>;

export const masstackCodes = new CodeTable<MasstackEntry, keyof typeof entries>(entries, {
  invalid_argument: "MCUS.999.998",
  payload_too_large: "MCUS.999.998",
  unsupported_media_type: "MCUS.999.998",
  unprocessable: "MCUS.999.998",
  unauthenticated: "MCUS.999.996",
  permission_denied: "MCUS.999.995",
  not_found: "MCUS.999.997",
  method_not_allowed: "MCUS.999.997",
  conflict: "MCUS.999.994",
  rate_limited: "MCUS.999.993",
  internal: "MCUS.999.999",
  unavailable: "MCUS.001.005",
  timeout: "MCUS.001.009",
});

export type MasstackErrorBody = z.infer<typeof MasstackErrorBodySchema>;

export const masstackCodec: ErrorCodec<object> = {
  family: "masstack",
  render(error) {
    const code = masstackCodes.codeFor(error);
    const entry = masstackCodes.entry(code);
    const message = entry.status === 400 && error.detail ? error.detail : entry.message;
    const body: MasstackErrorBody = { errors: [{ error: { code, title: entry.title, ref: MASSTACK_REF, message } }] };
    return { status: entry.status, headers: errorHeaders(error, "application/json"), body };
  },
  parse(status, body) {
    const first = objectOrEmpty(objectOrEmpty((Array.isArray(objectOrEmpty(body).errors) ? (objectOrEmpty(body).errors as unknown[]) : [])[0]).error);
    const code = stringOrUndefined(first.code);
    const message = stringOrUndefined(first.message) ?? stringOrUndefined(first.details);
    const entry = masstackCodes.lookup(code);
    if (!entry) return new AppError(kindOfHttpStatus(status), { vendorCode: code, detail: message });
    return new AppError(entry.kind, { vendorCode: code, detail: message === entry.message ? undefined : message });
  },
};
