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
