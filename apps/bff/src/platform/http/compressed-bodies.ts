import { LRUCache } from "lru-cache";
import { compressSync, type ContentCoding } from "./content-encoding.js";

/**
 * Compressed copies of recently sent JSON bodies, so that the same bytes are compressed once,
 * not on every request: a mobile overview is asked for again and again (each launch, each
 * refresh, each agent screen) and is the same until its data changes, and compressing it costs
 * more than gathering it (≈60–100 µs of the event loop's time for a 1.3 KB body inside the
 * server; docs/performance.md).
 *
 * A memo of a pure function, not a data cache: an entry is found by coding and entity tag, and
 * used only when its body is byte for byte the body being sent, so it can never answer with
 * anything but the compressed form of what the handler just produced — nothing to invalidate,
 * no staleness, and a tag collision is merely a miss. It holds what the read cache already
 * holds (the mobile API's answers carry no identity document or card number), bounded by bytes.
 */
export type CompressedBodies = {
  /** `body` compressed with `coding`: from memory when these bytes were compressed lately. */
  compress(body: Buffer, etag: string | undefined, coding: ContentCoding): Buffer;
};

export type CompressedBodiesOptions = {
  /** Bytes held in all (each entry counts its body and its compressed copy). */
  maxBytes?: number;
  /** A larger body is compressed on each request and not kept. */
  maxBodyBytes?: number;
  /** The compressor (tests count its calls). */
  compress?: (body: Buffer, coding: ContentCoding) => Buffer;
};

type Entry = { body: Buffer; compressed: Buffer };

/** A copy that owns exactly its bytes: a small Buffer is a view of a shared 8 KB pool slab (and zlib's output a view of its 16 KB chunk), which an entry would otherwise keep alive. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

export function compressedBodies({
  maxBytes = 4 * 2 ** 20,
  maxBodyBytes = 64 * 2 ** 10,
  compress = (body, coding) => compressSync(body, coding, "fast"),
}: CompressedBodiesOptions = {}): CompressedBodies {
  const entries = new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (e) => e.body.length + e.compressed.length });
  return {
    compress(body, etag, coding) {
      if (etag === undefined || body.length > maxBodyBytes) return compress(body, coding);
      const key = `${coding} ${etag}`;
      const known = entries.get(key);
      if (known?.body.equals(body)) return known.compressed;
      const compressed = compress(body, coding);
      entries.set(key, { body: ownCopy(body), compressed: ownCopy(compressed) });
      return compressed;
    },
  };
}
