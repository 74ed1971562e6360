import { describe, expect, it } from "vitest";
import { TtlCache } from "../src/ttl-cache.js";

describe("TtlCache (API keys and API clients)", () => {
  function counting<V>(value: V | undefined) {
    const loader = { calls: 0, load: async () => (loader.calls++, value) };
    return loader;
  }

  it("remembers a found value until its TTL passes", async () => {
    let clock = 0;
    const cache = new TtlCache<string>(1000, { maxEntries: 10, now: () => clock });
    const loader = counting("telco");
    expect(await cache.get("k", loader.load)).toBe("telco");
    clock = 999;
    expect(await cache.get("k", loader.load)).toBe("telco");
    expect(loader.calls).toBe(1);
    clock = 1000;
    await cache.get("k", loader.load);
    expect(loader.calls).toBe(2);
  });

  it("never remembers a miss: a key created a moment ago is found at once", async () => {
    const cache = new TtlCache<string>(60_000);
    const missing = counting<string>(undefined);
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(missing.calls).toBe(2);
    expect(await cache.get("k", counting("found").load)).toBe("found");
  });

  it("remembers a miss for missTtlMs when asked to, then asks again", async () => {
    let clock = 0;
    const cache = new TtlCache<string>(60_000, { missTtlMs: 5000, now: () => clock });
    const missing = counting<string>(undefined);
    expect(await cache.get("k", missing.load)).toBeUndefined();
    clock = 4999;
    expect(await cache.get("k", missing.load)).toBeUndefined();
    expect(missing.calls).toBe(1);
    clock = 5000;
    expect(await cache.get("k", counting("created since").load)).toBe("created since");
  });

  it("is off with a TTL of 0", async () => {
    const cache = new TtlCache<string>(0);
    const loader = counting("v");
    await cache.get("k", loader.load);
    await cache.get("k", loader.load);
    expect(loader.calls).toBe(2);
  });

  it("forgets the oldest entry past its size", async () => {
    const cache = new TtlCache<string>(60_000, { maxEntries: 2 });
    const a = counting("a");
    await cache.get("a", a.load);
    await cache.get("b", counting("b").load);
    await cache.get("c", counting("c").load);
    await cache.get("a", a.load);
    expect(a.calls).toBe(2);
  });
});
