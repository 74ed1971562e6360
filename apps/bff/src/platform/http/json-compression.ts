import type { Express, Request, Response } from "express";
import { compressedBodies, type CompressedBodies } from "./compressed-bodies.js";
import { compress, negotiateContentCoding } from "./content-encoding.js";

/** Bodies smaller than this are sent as they are: compression would save less than it costs. */
const THRESHOLD_BYTES = 1024;
/** Up to this size a body is compressed in the same tick; a larger one on the thread pool. */
const SYNC_LIMIT_BYTES = 256 * 1024;

type End = Response["end"];

function isJson(res: Response): boolean {
  const type = res.getHeader("content-type");
  return typeof type === "string" && /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
}

/** `Cache-Control: no-transform`: the body must reach the client as it is. */
function forbidsTransform(res: Response): boolean {
  return /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(res.getHeader("cache-control") ?? ""));
}

function etagOf(res: Response): string | undefined {
  const etag = res.getHeader("etag");
  return typeof etag === "string" ? etag : undefined;
}

/**
 * Compresses JSON answers (br or gzip, whichever the client prefers: ./content-encoding.ts) as
 * whole bodies: a JSON answer is complete when it is sent, so it is compressed at once and sent
 * in one write with its Content-Length. (The `compression` middleware streams every body through
 * the thread pool, which added ≈0.45 ms to each mobile overview one request at a time, for a
 * 1.3 KB body.) The entity tag stays the uncompressed body's — Express's tags are weak, which is
 * right for a body whose bytes vary with the encoding (RFC 9110 §8.8.1). A body sent again is
 * not compressed again: `bodies` keeps recent compressed copies, found by that tag and checked
 * byte for byte (./compressed-bodies.ts).
 *
 * It applies to the answers of the requests `applies` selects, and is installed on the app's
 * response prototype (Express's `app.response`), not on each response: assigning `res.end` per
 * request gave every response an own property, which cost ≈12 µs a request in a profile (and
 * more garbage) on this machine.
 */
export function installJsonCompression(app: Express, applies: (req: Request) => boolean, bodies: CompressedBodies = compressedBodies()): void {
  const end = app.response.end as (...args: unknown[]) => Response;
  app.response.end = function compressedEnd(this: Response, ...args: unknown[]) {
    const req = this.req;
    const [chunk, encodingOrCallback, maybeCallback] = args;
    const bodyless = req.method === "HEAD" || this.statusCode === 204 || this.statusCode === 304;
    if (this.headersSent || bodyless || (typeof chunk !== "string" && !Buffer.isBuffer(chunk)) || !applies(req) || !isJson(this)) return end.apply(this, args);
    this.vary("Accept-Encoding");
    const body = typeof chunk === "string" ? Buffer.from(chunk, typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8") : chunk;
    const callback = typeof encodingOrCallback === "function" ? encodingOrCallback : maybeCallback;
    // A small body is sent as it is, whatever the client accepts: no negotiation to pay for.
    const coding = body.length < THRESHOLD_BYTES ? undefined : negotiateContentCoding(req);
    if (coding === undefined || this.getHeader("content-encoding") || forbidsTransform(this)) return end.call(this, body, callback);
    const send = (compressed: Buffer) => {
      this.setHeader("content-encoding", coding);
      this.setHeader("content-length", compressed.length);
      return end.call(this, compressed, callback);
    };
    if (body.length <= SYNC_LIMIT_BYTES) return send(bodies.compress(body, etagOf(this), coding));
    compress(body, coding, "fast").then(send, (error: Error) => this.destroy(error));
    return this;
  } as End;
}
