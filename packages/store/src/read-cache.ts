import { LRUCache } from "lru-cache";

/**
 * The store's read cache (docs/performance.md#read-cache). Entries are grouped by scope (an
 * organisation, or the API keys); a write invalidates its scope by bumping the scope's
 * generation, which every entry of it carries. A look-up that started before the bump never
 * stores what it read, so nothing read before a write outlives it.
 */

export type ReadCacheOptions = {
  /** How long an entry lives at most, whatever invalidation says (the staleness bound of last resort). */
  ttlMs: number;
  /** Most entries held; past it (or past maxBytes) the least recently used go first. */
  maxEntries: number;
  /** Most bytes held, by each key's length and its value's length as JSON. */
  maxBytes: number;
};

type Entry = { epoch: number; generation: number; value: unknown };

/** Where a cached value belongs: writes to the organisation, or to the API keys, invalidate it. */
export type CacheScope = `org:${string}` | "api-keys";

export const orgScope = (orgId: string): CacheScope => `org:${orgId}`;

/**
 * Whether a change notification names a scope this store writes: `api-keys`, or `org:` and an
 * organisation id as the organisations table allows it. Any database login may NOTIFY the
 * channel; anything else is not ours.
 */
export const isCacheScope = (payload: string): payload is CacheScope => payload === "api-keys" || /^org:[a-z0-9][a-z0-9-]{0,62}$/.test(payload);

export class ReadCache {
  private readonly entries: LRUCache<string, Entry>;
  /** One number per scope written to; bounded like the entries (past it, everything is forgotten). */
  private readonly generations = new Map<string, number>();
  private readonly maxScopes: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Bumped by invalidateAll: every entry of an older epoch is dead. */
  private epoch = 0;
  /** False while writes made elsewhere cannot be heard of (PostgreSQL's change listener is down). */
  private trusted = true;

  constructor(options: ReadCacheOptions) {
    this.maxScopes = options.maxEntries;
    this.entries = new LRUCache<string, Entry>({
      ttl: options.ttlMs,
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (entry, key) => key.length + (JSON.stringify(entry.value, mapsAsEntries)?.length ?? 1),
      // Read the clock on every look-up (lru-cache otherwise reuses one reading for a millisecond).
      ttlResolution: 0,
    });
  }

  /**
   * The value cached under `key`, else what `load` reads (stored only if no write to `scope` was
   * heard of meanwhile). Concurrent misses of one key share one load. Values are frozen: every
   * caller gets the same object.
   */
  async read<T>(scope: CacheScope, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.trusted) return load();
    const epoch = this.epoch;
    const generation = this.generations.get(scope) ?? 0;
    const hit = this.entries.get(key);
    if (hit && hit.epoch === epoch && hit.generation === generation) return hit.value as T;
    const flightKey = `${epoch}\u0000${generation}\u0000${key}`;
    const pending = this.inFlight.get(flightKey);
    if (pending) return pending as Promise<T>;
    const loading = load().then((value) => {
      if (this.trusted && this.epoch === epoch && (this.generations.get(scope) ?? 0) === generation) {
        this.entries.set(key, { epoch, generation, value: deepFreeze(value) });
      }
      return value;
    });
    this.inFlight.set(flightKey, loading);
    try {
      return await loading;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  /** A write to the scope was made (here, or heard of from another process). */
  invalidate(scope: CacheScope): void {
    // More scopes than entries can be held: forgetting them all (a new epoch kills every entry
    // and every read in flight) keeps the map bounded whatever names arrive.
    if (!this.generations.has(scope) && this.generations.size >= this.maxScopes) this.invalidateAll();
    this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
  }

  /** Forget everything (say, after notifications may have been missed). */
  invalidateAll(): void {
    this.epoch++;
    this.entries.clear();
    this.generations.clear();
  }

  /** Scopes with a generation held (bounded by the entries' bound). */
  get scopes(): number {
    return this.generations.size;
  }

  /** While untrusted, every read goes to the database and nothing is stored. */
  setTrusted(trusted: boolean): void {
    if (trusted && !this.trusted) this.invalidateAll();
    this.trusted = trusted;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The keys held, least recently used last (tests check what a key may contain). */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}

const mapsAsEntries = (_key: string, value: unknown) => (value instanceof Map ? [...value] : value);

function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
  } else if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
  }
  if (value !== null && typeof value === "object") Object.freeze(value);
  return value;
}
