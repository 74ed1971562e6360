/**
 * Remembers found values for a while (never misses: an unknown key is asked again every time).
 * Bounded: past `maxEntries` the oldest entry is forgotten. A TTL of 0 turns it off.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (this.ttlMs > 0) {
      const hit = this.entries.get(key);
      if (hit && hit.expiresAt > this.now()) return hit.value;
      this.entries.delete(key);
    }
    const value = await load();
    if (value !== undefined && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    }
    return value;
  }
}
