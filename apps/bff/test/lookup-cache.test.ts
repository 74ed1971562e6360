import { describe, expect, it } from "vitest";
import { LookupCache } from "../src/lookup-cache.js";

type Owner = { org: string };

describe("LookupCache (API keys and API clients)", () => {
  function counting(value: Owner | undefined) {
    const loader = { calls: 0, load: async () => (loader.calls++, value) };
    return loader;
  }
  const owner = (org: string): Owner => ({ org });

  it("remembers a found value until its TTL passes", async () => {
    let clock = 1_000_000; // lru-cache reads a start time of 0 as "no TTL"
    const cache = new LookupCache<Owner>({ ttlMs: 1000, maxEntries: 10, now: () => clock });
    const loader = counting(owner("telco"));
    expect(await cache.get("k", loader.load)).toEqual(owner("telco"));
    clock += 999;
    expect(await cache.get("k", loader.load)).toEqual(owner("telco"));
    expect(loader.calls).toBe(1);
    clock += 2;
    await cache.get("k", loader.load);
    expect(loader.calls).toBe(2);
  });

  it("never remembers a miss: a key created a moment ago is found at once", async () => {
    const cache = new LookupCache<Owner>({ ttlMs: 60_000 });
    const missing = counting(undefined);
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(missing.calls).toBe(2);
    expect(await cache.get("k", counting(owner("found")).load)).toEqual(owner("found"));
  });

  it("remembers a miss for missTtlMs when asked to, then asks again", async () => {
    let clock = 1_000_000; // lru-cache reads a start time of 0 as "no TTL"
    const cache = new LookupCache<Owner>({ ttlMs: 60_000, missTtlMs: 5000, now: () => clock });
    const missing = counting(undefined);
    expect(await cache.get("k", missing.load)).toBeUndefined();
    clock += 4999;
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(missing.calls).toBe(1);
    clock += 2;
    expect(await cache.get("k", counting(owner("created since")).load)).toEqual(owner("created since"));
  });

  it("is off with a TTL of 0", async () => {
    const cache = new LookupCache<Owner>({ ttlMs: 0 });
    const loader = counting(owner("v"));
    await cache.get("k", loader.load);
    await cache.get("k", loader.load);
    expect(loader.calls).toBe(2);
  });

  it("forgets the least recently used entry past its entry count", async () => {
    const cache = new LookupCache<Owner>({ ttlMs: 60_000, maxEntries: 2 });
    const a = counting(owner("a"));
    const b = counting(owner("b"));
    await cache.get("a", a.load);
    await cache.get("b", b.load);
    await cache.get("a", a.load); // a is now the most recently used
    await cache.get("c", counting(owner("c")).load);
    await cache.get("a", a.load);
    await cache.get("b", b.load);
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(2);
  });

  it("holds no more bytes than maxBytes", async () => {
    const cache = new LookupCache<Owner>({ ttlMs: 60_000, maxBytes: 64 });
    const big = counting(owner("x".repeat(40)));
    const other = counting(owner("y".repeat(40)));
    await cache.get("big", big.load);
    await cache.get("other", other.load);
    await cache.get("big", big.load);
    expect(big.calls).toBe(2);
  });
});
