import { LRUCache } from "lru-cache";

export type LookupCacheOptions = {
  /** How long a found value is remembered; 0 turns the cache off. */
  ttlMs: number;
  /** How long a miss is remembered (default 0: an unknown key is asked again every time). */
  missTtlMs?: number;
  /** Most entries held; past it (or past maxBytes) the least recently used go first. */
  maxEntries?: number;
  /** Most bytes held, by the size of each key and of its value as JSON. */
  maxBytes?: number;
  /** The clock, in milliseconds (tests). */
  now?: () => number;
};

const MISS = Symbol("miss");

/**
 * Remembers what a look-up found for `ttlMs`, and that it found nothing for `missTtlMs` (a key
 * created meanwhile is found once that passes). Bounded by entries and by bytes (lru-cache).
 */
export class LookupCache<V extends object> {
  private readonly entries: LRUCache<string, V | typeof MISS> | undefined;
  private readonly missTtlMs: number;

  constructor(options: LookupCacheOptions) {
    this.missTtlMs = options.missTtlMs ?? 0;
    this.entries =
      options.ttlMs > 0
        ? new LRUCache({
            ttl: options.ttlMs,
            max: options.maxEntries ?? 10_000,
            maxSize: options.maxBytes ?? 4 * 2 ** 20,
            sizeCalculation: (value, key) => key.length + (value === MISS ? 1 : JSON.stringify(value).length),
            // Read the clock on every look-up (lru-cache otherwise reuses one reading for a millisecond).
            ttlResolution: 0,
            ...(options.now ? { perf: { now: options.now } } : {}),
          })
        : undefined;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (!this.entries) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit === MISS ? undefined : hit;
    const value = await load();
    if (value !== undefined) this.entries.set(key, value);
    else if (this.missTtlMs > 0) this.entries.set(key, MISS, { ttl: this.missTtlMs });
    return value;
  }
}
