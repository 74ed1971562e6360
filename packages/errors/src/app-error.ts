import type { ErrorKind, InvalidReason } from "./kinds.js";

export type AppErrorOptions = {
  /** A vendor-specific code (e.g. `IDENTIFIER_NOT_FOUND`, `MCUS.999.994`, `7014`) refining the kind. */
  vendorCode?: string;
  /** The offending field, header or parameter, named as the client sent it. */
  field?: string;
  /** Client-safe explanation; never derived from an internal exception's text. */
  detail?: string;
  reason?: InvalidReason;
  /** Seconds the client should wait (rate limits). */
  retryAfterSeconds?: number;
  /** Methods the path does accept (method not allowed). */
  allow?: readonly string[];
  cause?: unknown;
};

/** The one error type that crosses layers. Its `message` is for logs; clients see `detail` only. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly vendorCode: string | undefined;
  readonly field: string | undefined;
  readonly detail: string | undefined;
  readonly reason: InvalidReason | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly allow: readonly string[] | undefined;

  constructor(kind: ErrorKind, options: AppErrorOptions = {}) {
    super(options.detail ?? kind, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.kind = kind;
    this.vendorCode = options.vendorCode;
    this.field = options.field;
    this.detail = options.detail;
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.allow = options.allow;
  }

  /** A plain, JSON-safe view (for logs and tests); never includes the cause. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { kind: this.kind };
    for (const key of ["vendorCode", "field", "detail", "reason", "retryAfterSeconds", "allow"] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
