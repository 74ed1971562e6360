import type { Request } from "express";
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from "node:zlib";

/**
 * Content codings the BFF produces, and how: the negotiation with the client's Accept-Encoding
 * and the compressors, shared by JSON answers (compressed per response) and the API
 * reference's assets (compressed once).
 */

export type ContentCoding = "br" | "gzip";

/**
 * What a response costs to compress: `fast` for answers compressed on every request (brotli
 * quality 4, gzip level 6), `best` for content compressed once and then served from memory.
 */
export type CompressionEffort = "fast" | "best";

const BROTLI_QUALITY: Record<CompressionEffort, number> = { fast: 4, best: 9 };
const GZIP_LEVEL: Record<CompressionEffort, number> = { fast: 6, best: 9 };

/** The coding the client prefers among br and gzip (q-values honoured); undefined: send the body as it is. */
export function negotiateContentCoding(req: Request): ContentCoding | undefined {
  const coding = req.acceptsEncodings("br", "gzip", "identity");
  return coding === "br" || coding === "gzip" ? coding : undefined;
}

// The size hint lets brotli size its window and tables to the body: without it every call
// allocates (and faults in) the default 4 MB window, which doubled the cost of compressing a
// 1.3 KB overview inside the server (65 → 32 µs; docs/performance.md).
const brotliOptions = (body: Buffer, effort: CompressionEffort): BrotliOptions => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[effort], [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
});
const gzipOptions = (effort: CompressionEffort): ZlibOptions => ({ level: GZIP_LEVEL[effort] });

/** Compresses a whole body in the calling tick: for bodies small enough not to hold up the event loop. */
export function compressSync(body: Buffer, coding: ContentCoding, effort: CompressionEffort): Buffer {
  return coding === "br" ? brotliCompressSync(body, brotliOptions(body, effort)) : gzipSync(body, gzipOptions(effort));
}

/** Compresses a whole body on zlib's thread pool. */
export function compress(body: Buffer, coding: ContentCoding, effort: CompressionEffort): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error ? reject(error) : resolve(out));
    if (coding === "br") brotliCompress(body, brotliOptions(body, effort), done);
    else gzip(body, gzipOptions(effort), done);
  });
}
