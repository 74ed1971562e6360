import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGES_CHANNEL } from "../src/change-listener.js";
import { ReadCache } from "../src/read-cache.js";
import { openTwinStore, testStoreVariants, type TestStore } from "../src/testing.js";

/**
 * The read cache's rules (docs/performance.md#read-cache): a write is never missed by a read
 * that starts after the write was acknowledged in this process; writes made anywhere else
 * (another store over the same database, raw SQL, an import) are heard through the database's
 * notifications; the cache is bounded and holds no identity document or card number in clear.
 */

const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const CUSTOMER_TYPE = 214748364;
const CACHE = { ttlMs: 60_000, maxEntries: 1_000, maxBytes: 2 ** 20 };
/** How long a write made elsewhere may take to be heard of, at most, in these tests (notifications take milliseconds). */
const HEARD_WITHIN_MS = 2_000;

const luisCategory = async (store: TestStore) => (await store.listCustomerCategories("telco", LUIS_MASSTACK, CUSTOMER_TYPE))?.[0];
const gaugeOf = async (store: TestStore, phoneNumber = "+34600000001") => (await store.lookupScoring({ orgId: "telco", phoneNumber, idDocument: undefined, scale: "gaugeMetric" })).score;

/**
 * A PostgreSQL database of this file's own, dropped after it: notifications are per database,
 * so neither the payloads these tests send (and count) nor their cutting of every listening
 * connection reach the tests of other packages running beside them on the shared database, and
 * those tests' writes do not reach these caches.
 */
async function privateDatabase(url: string | undefined): Promise<string | undefined> {
  if (!url) return undefined;
  const name = `read_cache_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  afterAll(async () => {
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    try {
      await cleanup.query(`drop database if exists ${name} with (force)`);
    } finally {
      await cleanup.end();
    }
  });
  const own = new URL(url);
  own.pathname = `/${name}`;
  return own.toString();
}

const databaseUrl = await privateDatabase(process.env.DATABASE_URL);

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    const ms = performance.now() - started;
    if (done(value) || ms > withinMs) return { value, ms };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A writer acknowledges versions v1…v30 of a description one after another while four readers
 * read it: no read that started after v(n) was acknowledged may see less than v(n).
 */
async function expectNoStaleReadAfterAcknowledgement(target: TestStore): Promise<void> {
  // Versions of this run only: a description left by an earlier run reads as version 0.
  const run = crypto.randomUUID();
  // One after another first: cached, written, read again.
  await luisCategory(target);
  await target.patchCustomerCategory("telco", LUIS_MASSTACK, CUSTOMER_TYPE, { description: `${run} v0` }, "read-cache.test");
  expect((await luisCategory(target))?.description).toBe(`${run} v0`);
  let acknowledged = 0;
  let writing = true;
  const writer = (async () => {
    for (let version = 1; version <= 30; version++) {
      await target.patchCustomerCategory("telco", LUIS_MASSTACK, CUSTOMER_TYPE, { description: `${run} v${version}` }, "read-cache.test");
      acknowledged = version;
      // Let the readers in between writes (PGlite runs one statement at a time).
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    writing = false;
  })();
  const stale: string[] = [];
  const readers = Array.from({ length: 4 }, async () => {
    while (writing) {
      // A cached answer resolves without I/O: let the writer's round trips through.
      await new Promise((resolve) => setImmediate(resolve));
      const floor = acknowledged;
      const description = (await luisCategory(target))?.description ?? "";
      const seen = description.startsWith(run) ? Number(description.slice(run.length + 2)) : 0;
      if (seen < floor) stale.push(`read v${seen} after v${floor} was acknowledged`);
    }
  });
  await Promise.all([writer, ...readers]);
  expect(stale).toEqual([]);
  expect((await luisCategory(target))?.description).toBe(`${run} v30`);
}

describe.each(testStoreVariants(databaseUrl))("read cache on $name", (variant) => {
  let store: TestStore;

  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open({ readCache: CACHE });
  });
  afterAll(async () => {
    await store?.close();
  });

  it.skipIf(variant.skipReason)("answers a repeated read from memory: the same frozen object, no round trip", async () => {
    const first = await luisCategory(store);
    const second = await luisCategory(store);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { value: string | null }).value = "changed";
    }).toThrow(TypeError);
  });

  it.skipIf(variant.skipReason)("never misses a write this process acknowledged, even with reads racing it", async () => {
    await expectNoStaleReadAfterAcknowledgement(store);
  });

  it.skipIf(variant.skipReason)("invalidates on its own writes before acknowledging them, notification or not", async () => {
    const deaf = await openTwinStore(store, { readCache: CACHE, hearChanges: false });
    try {
      await expectNoStaleReadAfterAcknowledgement(deaf);
    } finally {
      await deaf.close();
    }
  });

  it.skipIf(variant.skipReason)("hears of a write made beside the domain operations (raw SQL) through the database's notification", async () => {
    expect(await gaugeOf(store)).toBe(600);
    await sql`update customer_scores set value = 601 where scale = 'gaugeMetric' and customer_id = (select customer_id from customer_identifiers where org_id = 'telco' and kind = 'phone' and value = '+34600000001')`.execute(store.db);
    const { value } = await eventually(() => gaugeOf(store), (v) => v === 601, HEARD_WITHIN_MS);
    expect(value).toBe(601);
  });

  it.skipIf(variant.skipReason)("drops what an import batch changed before the batch is acknowledged", async () => {
    expect(await gaugeOf(store, "+34600000002")).not.toBe(777);
    const job = await store.createImportJob({ id: crypto.randomUUID(), orgId: "telco", dataset: "scores", format: "ndjson", source: "read-cache.test" });
    const result = await store.applyImportBatch(job, {
      dataset: "scores",
      rows: [{ line: 1, externalId: "CRM-0002", scoringType: "gaugeMetric", scoringValue: 777 }],
      lastLine: 1,
      read: 1,
      rejects: [],
    });
    expect(result.imported).toBe(1);
    expect(await gaugeOf(store, "+34600000002")).toBe(777);
  });

  it.skipIf(variant.skipReason)("keeps identity documents and card numbers out of its keys (their keyed hash stands in)", async () => {
    await store.lookupScoring({ orgId: "telco", phoneNumber: undefined, idDocument: "87654321X", scale: "gaugeMetric" });
    await store.lookupSegment({ orgId: "telco", customerId: undefined, cardNumber: "4969452123456110" });
    await store.findCustomerKeys("telco", { kind: "card_number", value: "4969452123456110" });
    const keys = store.readCache!.keys().join("\n");
    expect(keys).toContain("scoring");
    expect(keys).not.toContain("87654321X");
    expect(keys).not.toContain("4969452123456110");
  });
});

describe.each(testStoreVariants(databaseUrl).filter((v) => v.name === "postgres"))("read cache across processes on $name", (variant) => {
  let a: TestStore;
  let b: TestStore;

  beforeAll(async () => {
    if (variant.skipReason) return;
    a = await variant.open({ readCache: CACHE });
    // Another store over the same schema: its own pool, its own listening connection, its own cache.
    b = await openTwinStore(a, { readCache: CACHE });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it.skipIf(variant.skipReason)(`sees a write acknowledged by the other within ${HEARD_WITHIN_MS} ms, though its TTL is a minute`, async () => {
    expect((await luisCategory(b))?.value).toBe("influencer");
    await a.patchCustomerCategory("telco", LUIS_MASSTACK, CUSTOMER_TYPE, { value: "employee" }, "read-cache.test");
    const { value, ms } = await eventually(() => luisCategory(b), (c) => c?.value === "employee", HEARD_WITHIN_MS);
    expect(value?.value, `still stale after ${ms.toFixed(0)} ms`).toBe("employee");
  });

  it.skipIf(variant.skipReason)("while its listening connection is down it trusts nothing cached, and once back it starts empty", async () => {
    expect(await gaugeOf(b, "+34600000002")).toBe(710);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      // Cut every listening connection of this database: notifications sent now reach no one.
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query = $1`,
        [`listen ${CHANGES_CHANNEL}`],
      );
      await a.db.updateTable("customer_scores").set({ value: 711 }).where("value", "=", 710).where("scale", "=", "gaugeMetric").execute();
      const { value } = await eventually(() => gaugeOf(b, "+34600000002"), (v) => v === 711, HEARD_WITHIN_MS);
      expect(value).toBe(711);
    } finally {
      await admin.end();
    }
  });
});

describe.each(testStoreVariants(databaseUrl))("change notifications anyone may send, on $name", (variant) => {
  let store: TestStore;
  let ignored = 0;
  beforeAll(async () => {
    if (variant.skipReason) return;
    store = await variant.open({ readCache: CACHE, onIgnoredChange: () => ignored++ });
  });
  afterAll(() => store?.close());

  it.skipIf(variant.skipReason)("drops and counts every payload that names no scope of ours, keeping nothing of it; a real scope still invalidates", async () => {
    expect((await luisCategory(store))?.value).toBe("influencer");
    const scopesBefore = store.readCache!.scopes;
    // 20,000 distinct payloads of 7.9 KB, and names close to real ones, in one transaction.
    await sql`select pg_notify(${CHANGES_CHANNEL}, 'x' || g || repeat('y', 7900)) from generate_series(1, 20000) as g`.execute(store.db);
    for (const payload of ["org:", "org:Telco", "org:telco ", "org:-telco", `org:${"a".repeat(64)}`, "api-keys2", "ORG:telco", ""]) {
      await sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`.execute(store.db);
    }
    await expect.poll(() => ignored, { timeout: HEARD_WITHIN_MS }).toBe(20_008);
    expect(store.readCache!.scopes).toBe(scopesBefore);
    // A write made beside the store still notifies org:telco (its trigger), and is heard.
    await store.db.updateTable("customer_categories").set({ value: "employee" }).where("value", "=", "influencer").execute();
    const { value } = await eventually(() => luisCategory(store), (c) => c?.value === "employee", HEARD_WITHIN_MS);
    expect(value?.value).toBe("employee");
  }, 60_000);
});

describe("ReadCache", () => {
  const options = { ttlMs: 60_000, maxEntries: 3, maxBytes: 1_000 };

  it("tracks at most maxEntries scopes: past it, it forgets everything rather than grow", async () => {
    const cache = new ReadCache(options);
    expect(await cache.read("org:a", "k", () => Promise.resolve(1))).toBe(1);
    for (let i = 0; i < 10; i++) cache.invalidate(`org:x${i}`);
    expect(cache.scopes).toBeLessThanOrEqual(3);
    // The entry of org:a did not survive the forgetting: the next read loads again.
    expect(await cache.read("org:a", "k", () => Promise.resolve(2))).toBe(2);
  });

  it("holds at most maxEntries, dropping the least recently used", async () => {
    const cache = new ReadCache(options);
    for (const key of ["a", "b", "c", "d"]) await cache.read("org:x", key, async () => ({ key }));
    expect(cache.keys().sort()).toEqual(["b", "c", "d"]);
  });

  it("holds at most maxBytes, by each value's size as JSON", async () => {
    const cache = new ReadCache({ ...options, maxEntries: 100 });
    for (const key of ["a", "b", "c"]) await cache.read("org:x", key, async () => ({ text: "x".repeat(400) }));
    expect(cache.size).toBe(2);
  });

  it("does not keep what a read started before an invalidation returned", async () => {
    const cache = new ReadCache(options);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const before = cache.read("org:x", "k", async () => {
      await gate;
      return { version: 1 };
    });
    cache.invalidate("org:x");
    release();
    expect(await before).toEqual({ version: 1 });
    expect(cache.size).toBe(0);
    expect(await cache.read("org:x", "k", async () => ({ version: 2 }))).toEqual({ version: 2 });
  });

  it("shares one load between concurrent misses of a key", async () => {
    const cache = new ReadCache(options);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { loads };
    };
    const [first, second] = await Promise.all([cache.read("org:x", "k", load), cache.read("org:x", "k", load)]);
    expect(loads).toBe(1);
    expect(second).toBe(first);
  });

  it("forgets an entry after its TTL", async () => {
    const cache = new ReadCache({ ...options, ttlMs: 30 });
    await cache.read("org:x", "k", async () => ({ version: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await cache.read("org:x", "k", async () => ({ version: 2 }))).toEqual({ version: 2 });
  });

  it("while untrusted, reads through and stores nothing", async () => {
    const cache = new ReadCache(options);
    cache.setTrusted(false);
    await cache.read("org:x", "k", async () => ({ version: 1 }));
    expect(cache.size).toBe(0);
  });
});
