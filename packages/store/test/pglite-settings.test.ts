import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openPgliteTestStore } from "../src/testing.js";

/** What the embedded store's PostgreSQL is started with, and why (connection.ts). */
describe("the embedded store's settings", () => {
  it("does not zero-fill new WAL segments: 80-135 ms in a statement every request waits for", async () => {
    const store = await openPgliteTestStore();
    try {
      expect((await sql<{ wal_init_zero: string }>`show wal_init_zero`.execute(store.db)).rows[0]?.wal_init_zero).toBe("off");
    } finally {
      await store.close();
    }
  });
});

describe("whenQuiet (a background writer's wait)", () => {
  it("resolves once the one session has been free for the time asked, or at the most after maxWaitMs", async () => {
    const store = await openPgliteTestStore();
    try {
      let started = performance.now();
      await store.whenQuiet(2, 1000);
      expect(performance.now() - started).toBeLessThan(200);
      // A transaction holds the session for 150 ms.
      const holding = store.db.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await new Promise((resolve) => setTimeout(resolve, 150));
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      started = performance.now();
      await store.whenQuiet(2, 1000);
      expect(performance.now() - started).toBeGreaterThanOrEqual(100);
      await holding;
      const second = store.db.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      started = performance.now();
      await store.whenQuiet(2, 30);
      expect(performance.now() - started).toBeLessThan(200);
      await second;
    } finally {
      await store.close();
    }
  });
});
