import { families, type ErrorCodec, type Family } from "@insights/errors";
import type { Request, Response } from "express";

/** The ids the pipeline gives every request, which a family may show its clients. */
export type RequestIds = {
  /** Ours: logged with every line, returned as `x-request-id`. */
  requestId: string;
  /** A fresh id per request, for families whose answers carry one. */
  transactionId: string;
};

/**
 * What differs between the vendor families on the wire, asked by the shared HTTP layer of the
 * family a request's path belongs to (`familyOfPath`), for matched and unmatched routes alike.
 * Each family implements it in its own folder (`families/<family>/dialect.ts`; `system/dialect.ts`
 * for the BFF's own API), with the context its error codec takes (`Context`); the shared layer
 * never names a vendor.
 */
export type FamilyDialect<Context extends object = object> = {
  readonly family: Family;
  /** Renders the family's errors: its codec, configured by the family's factory (an HTTP status mode, say). */
  readonly codec: ErrorCodec<Context>;
  /**
   * A body that is not JSON, rewritten as the JSON the family also accepts; undefined when the
   * family accepts no other form (or this text is not one). Called only after JSON.parse failed.
   */
  readonly lenientJson?: (text: string) => string | undefined;
  /** Sets the headers the family echoes on every response, success or error (called once per request). */
  readonly echoHeaders?: (req: Request, res: Response) => void;
  /** Response headers of the family a browser client may read (CORS `Access-Control-Expose-Headers`). */
  readonly exposedHeaders?: readonly string[];
  /**
   * What the family's error bodies identify the request by — a correlator or uuid the client sent
   * (validated: a value that breaks its pattern is never echoed), a transaction id, our request id.
   */
  readonly errorContext: (req: Request, ids: RequestIds) => Context;
  /** What the request's log line carries beside the request id, when the family's answers carry more. */
  readonly logFields?: (ids: RequestIds) => Record<string, unknown>;
};

/** The dialect of each family, looked up by the family a request's path belongs to. */
export type FamilyDialects = {
  of(family: Family): FamilyDialect;
  /** Every family's exposed response headers, each once. */
  exposedHeaders: readonly string[];
};

/** One dialect per family, each family exactly once (checked at start). */
export function familyDialects(dialects: readonly FamilyDialect[]): FamilyDialects {
  const byFamily = new Map<Family, FamilyDialect>();
  for (const dialect of dialects) {
    if (byFamily.has(dialect.family)) throw new Error(`two dialects for the family ${dialect.family}`);
    byFamily.set(dialect.family, dialect);
  }
  const missing = families.filter((family) => !byFamily.has(family));
  if (missing.length > 0) throw new Error(`no dialect for the families ${missing.join(", ")}`);
  return { of: (family) => byFamily.get(family)!, exposedHeaders: [...new Set(dialects.flatMap((dialect) => dialect.exposedHeaders ?? []))] };
}

/** A request header's value when it is present, non-empty and matches `pattern`; else undefined. */
export function headerMatching(req: Request, name: string, pattern: RegExp): string | undefined {
  const value = req.get(name);
  return value && pattern.test(value) ? value : undefined;
}
