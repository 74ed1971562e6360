import { AppError } from "../app-error.js";
import { CodeTable, errorHeaders, objectOrEmpty, stringOrUndefined, type CodeEntry, type ErrorCodec } from "../codec.js";
import { httpStatusOfKind, kindOfHttpStatus, type ErrorKind } from "../kinds.js";
import type { ImiconnectErrorBodySchema } from "../wire-schemas.js";
import type { z } from "zod";

/**
 * IMIconnect customer profile (seed 003 and its sibling operations). The vendor answers
 * errors with HTTP 200 and an application code; `http` mode sends the matching 4xx/5xx.
 * 7429 (rate limited) is ours: the vendor documents no throttling code.
 */
const entries = {
  "7000": { status: 400, kind: "invalid_argument", message: "Invalid JSON" },
  "7001": { status: 401, kind: "unauthenticated", message: "Authentication failed" },
  "7002": { status: 401, kind: "unauthenticated", message: "Service Key Missing" },
  "7003": { status: 400, kind: "invalid_argument", message: "Mandatory parameters missing" },
  "7006": { status: 500, kind: "internal", message: "Internal error" },
  "7011": { status: 400, kind: "invalid_argument", message: "Invalid Attribute Value" },
  "7012": { status: 400, kind: "invalid_argument", message: "Batch size limit exceeded" },
  "7014": { status: 404, kind: "not_found", message: "Customer not found" },
  "7203": { status: 404, kind: "not_found", message: "Customer not found" },
  "7429": { status: 429, kind: "rate_limited", message: "Rate limit exceeded" },
} as const satisfies Record<string, CodeEntry>;

export const imiconnectCodes = new CodeTable<CodeEntry, keyof typeof entries>(entries, {
  invalid_argument: "7003",
  payload_too_large: "7000",
  unsupported_media_type: "7000",
  unprocessable: "7011",
  unauthenticated: "7001",
  permission_denied: "7001",
  not_found: "7014",
  method_not_allowed: "7014",
  conflict: "7011",
  rate_limited: "7429",
  internal: "7006",
  unavailable: "7006",
  timeout: "7006",
});

export const SUCCESS_CODE = "1000";
/** `Status` of an error body: the vendor's success is 0, so any failure is non-zero. */
export const IMICONNECT_ERROR_STATUS = 1;

export type ImiconnectErrorBody = z.infer<typeof ImiconnectErrorBodySchema>;

export type ImiconnectHttpStatusMode = "vendor" | "http";

/** A body that is not JSON is 7000; any other bad or missing parameter 7003 (7011 only when named). */
function codeFor(error: AppError): string {
  if (error.vendorCode !== undefined && imiconnectCodes.lookup(error.vendorCode)) return error.vendorCode;
  if (error.kind === "invalid_argument" && error.reason === "malformed_body") return "7000";
  return imiconnectCodes.codeFor(error);
}

/** In `http` mode the status follows the kind (so a 503 stays a 503); in `vendor` mode it is always 200. */
/** What an IMIconnect error carries of the request: its transaction id (`transid`). */
export type ImiconnectContext = { transid?: string | undefined };

export function createImiconnectCodec(mode: ImiconnectHttpStatusMode): ErrorCodec<ImiconnectContext> {
  return {
    family: "imiconnect",
    render(error, context) {
      const code = codeFor(error);
      const entry = imiconnectCodes.entry(code);
      const body: ImiconnectErrorBody = {
        Status: IMICONNECT_ERROR_STATUS,
        Description: entry.message,
        code,
        transid: context.transid ?? "",
      };
      const status = mode === "vendor" ? 200 : httpStatusOfKind[error.kind];
      return { status, headers: errorHeaders(error, "application/json"), body };
    },
    parse(status, body) {
      const b = objectOrEmpty(body);
      const code = typeof b.code === "number" ? String(b.code) : stringOrUndefined(b.code);
      const entry = imiconnectCodes.lookup(code);
      const description = stringOrUndefined(b.Description);
      // In `http` mode the status is the finer signal (503 vs 500 share 7006); in `vendor` mode it is always 200.
      const kind: ErrorKind = status >= 400 ? kindOfHttpStatus(status) : (entry?.kind ?? "internal");
      return new AppError(kind, { vendorCode: code, detail: entry && description === entry.message ? undefined : description });
    },
  };
}
