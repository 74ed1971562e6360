import { fromUnknown, AppError } from "@insights/errors";
import express, { type Request, type RequestHandler } from "express";
import type { FamilyDialect, FamilyDialects } from "./family-dialect.js";
import { stateOf } from "./request-state.js";

const JSON_TYPES = ["application/json", "application/*+json"];

/** Up to this size a plain UTF-8 body is read here, in one step; any other goes through body-parser. */
const DIRECT_READ_MAX_BYTES = 16 * 1024;
/** No parameter but an optional UTF-8 charset (the JSON default): `application/json; charset=utf-8`. */
const UTF8_OR_NO_CHARSET = /^[^;]*(?:;\s*charset\s*=\s*"?utf-?8"?\s*)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };

/** BODY_LIMIT in bytes: the config admits `<n>b`, `<n>kb` and `<n>mb`, read in 1024s as body-parser reads them. */
function bytesOf(limit: string): number {
  const [, digits, unit] = /^(\d+)([a-z]+)$/i.exec(limit) ?? [];
  const factor = UNITS[unit?.toLowerCase() ?? ""];
  if (digits === undefined || factor === undefined) throw new Error(`not a body size: ${limit}`);
  return Number(digits) * factor;
}

/**
 * Whether the body may be read here rather than by body-parser: a declared length within both
 * limits, not chunked, not content-encoded, UTF-8 by its media type. body-parser would read it
 * the same way (as UTF-8, a leading BOM dropped), through a dozen more steps per request.
 */
function isDirectlyReadable(req: Request, limitBytes: number): boolean {
  const { "transfer-encoding": chunked, "content-encoding": coding, "content-type": type, "content-length": declared } = req.headers;
  if (chunked !== undefined || (coding !== undefined && coding.toLowerCase() !== "identity") || !UTF8_OR_NO_CHARSET.test(type ?? "")) return false;
  const length = Number(declared);
  return Number.isInteger(length) && length > 0 && length <= Math.min(DIRECT_READ_MAX_BYTES, limitBytes);
}

/** The whole body as text; rejects as raw-body does when the client goes before sending it all. */
function readUtf8(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    req.once("close", () => {
      if (!req.complete) reject(Object.assign(new Error("request aborted"), { type: "request.aborted" }));
    });
  });
}

function hasBody(req: Request): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

const malformed = () => new AppError("invalid_argument", { reason: "malformed_body", field: "body", detail: "The request body is not valid JSON." });

/** JSON, or else the other form the family accepts (its dialect's `lenientJson`), if any. */
function parseJson(text: string, dialect: FamilyDialect): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const rewritten = dialect.lenientJson?.(text);
    if (rewritten === undefined) throw malformed();
    try {
      return JSON.parse(rewritten);
    } catch {
      throw malformed();
    }
  }
}

/**
 * JSON bodies only, up to `limit`. A request without a body gets `req.body === undefined` (so a
 * route that requires one answers 400). Failures are not thrown here: they are kept on the
 * request state and raised after authentication, so 401/403 still come first.
 */
export function jsonBody(limit: string, dialects: FamilyDialects, isStreamed: (req: Request) => boolean = () => false): RequestHandler {
  const readText = express.text({ limit, type: JSON_TYPES, defaultCharset: "utf-8" });
  const limitBytes = bytesOf(limit);
  return (req, res, next) => {
    const state = stateOf(req);
    // A streamed body (an import upload) is left unread for its handler.
    if (isStreamed(req)) return next();
    if (!hasBody(req)) {
      req.body = undefined;
      return next();
    }
    if (!req.is(JSON_TYPES)) {
      state.bodyError = new AppError("unsupported_media_type", { field: "Content-Type", detail: "The request body must be application/json." });
      req.body = undefined;
      // Drain the unread body so the connection can be reused.
      req.resume();
      return next();
    }
    const parsed = (error: unknown, text: string | undefined) => {
      try {
        if (error) throw fromUnknown(error);
        req.body = parseJson(text ?? "", dialects.of(state.family));
      } catch (failure) {
        state.bodyError = fromUnknown(failure);
        req.body = undefined;
      }
      next();
    };
    if (isDirectlyReadable(req, limitBytes)) {
      readUtf8(req).then((text) => parsed(undefined, text), (error: unknown) => parsed(error, undefined));
      return;
    }
    readText(req, res, (error?: unknown) => parsed(error, error ? undefined : String(req.body ?? "")));
  };
}
