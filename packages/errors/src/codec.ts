import { AppError, type AppErrorOptions } from "./app-error.js";
import type { AnyCodecContext } from "./codecs.js";
import type { ErrorKind } from "./kinds.js";

export const families = ["camara", "citibanamex", "masstack", "imiconnect", "problem"] as const;
/** A wire format: one per vendor family, plus RFC 9457 problem details for our own API. */
export type Family = (typeof families)[number];

/** What any codec may stamp on an error: the time it is answered at. */
export type RenderTime = { now?: Date | undefined };

export type RenderedError = {
  status: number;
  headers: Record<string, string>;
  body: unknown;
};

/**
 * One wire format of errors, both directions. `Context` is what it echoes or stamps from the
 * request being answered (a correlator, a transaction id…): each codec declares its own, and
 * whoever renders with it hands it that — the shared layers never name one. A codec whose format
 * is not known where it is used takes any codec's context (`AnyCodecContext`, codecs.ts).
 */
export type ErrorCodec<Context extends object = AnyCodecContext> = {
  family: Family;
  /** The internal error as this format's HTTP status, headers and body. */
  render(error: AppError, context: Context & RenderTime): RenderedError;
  /** A status and body in this format back into the internal error (for upstream providers). */
  parse(status: number, body: unknown): AppError;
};

/** One documented code of a vendor: the status it travels with and the kind it means. */
export type CodeEntry = { status: number; kind: ErrorKind; message: string };

/**
 * A vendor's table of documented codes plus, per kind, the code used when the error
 * carries no vendor code of that table. Shared by every codec so "which code do I send"
 * and "what does this code mean" are answered in one place.
 */
export class CodeTable<Entry extends CodeEntry, Code extends string = string> {
  constructor(
    readonly entries: Readonly<Record<Code, Entry>>,
    private readonly codeOfKind: Readonly<Record<ErrorKind, Code>>,
  ) {
    for (const code of Object.values(codeOfKind)) {
      if (!(code in entries)) throw new Error(`code ${code} has no entry`);
    }
  }

  /** The code an error travels as: its own vendor code when this table documents it. */
  codeFor(error: AppError): Code {
    if (error.vendorCode !== undefined && this.lookup(error.vendorCode)) return error.vendorCode as Code;
    return this.codeOfKind[error.kind];
  }

  entry(code: string): Entry {
    const entry = this.lookup(code);
    if (!entry) throw new Error(`unknown code ${code}`);
    return entry;
  }

  lookup(code: unknown): Entry | undefined {
    return typeof code === "string" && Object.hasOwn(this.entries, code) ? this.entries[code as Code] : undefined;
  }

  /** An error carrying one of this vendor's documented codes, of the kind the code means. */
  error(code: Code, options: Omit<AppErrorOptions, "vendorCode"> = {}): AppError {
    return new AppError(this.entry(code).kind, { ...options, vendorCode: code });
  }

  codes(): string[] {
    return Object.keys(this.entries);
  }
}

export function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Headers every format sends with an error: content type, Retry-After, Allow. */
export function errorHeaders(error: AppError, contentType: string): Record<string, string> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  if (error.allow !== undefined && error.allow.length > 0) headers["allow"] = error.allow.join(", ");
  return headers;
}
