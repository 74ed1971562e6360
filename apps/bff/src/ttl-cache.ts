export type TtlCacheOptions = {
  /** How long a miss is remembered (default 0: an unknown key is asked again every time). */
  missTtlMs?: number;
  /** Past this many entries the oldest is forgotten. */
  maxEntries?: number;
  now?: () => number;
};

/**
 * Remembers found values for `ttlMs`, and misses for `missTtlMs` (a key created meanwhile is found
 * once that passes). Bounded: past `maxEntries` the oldest entry is forgotten. A TTL of 0 turns it off.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V | undefined; expiresAt: number }>();
  private readonly missTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly ttlMs: number,
    options: TtlCacheOptions = {},
  ) {
    this.missTtlMs = options.missTtlMs ?? 0;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    this.entries.delete(key);
    const value = await load();
    const ttl = value === undefined ? this.missTtlMs : this.ttlMs;
    if (ttl > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, expiresAt: this.now() + ttl });
    }
    return value;
  }
}
