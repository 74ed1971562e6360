import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey } from "../src/api-keys.js";
import { createIdentifierHasher } from "../src/identifier-hasher.js";
import type { TestStore } from "../src/testing.js";
import { openPgliteTestStore, testHasher } from "../src/testing.js";

// What protects an API key: only its HMAC under the server's secret is stored and looked up, so
// neither the table nor the timing of the index probe says anything about a key to someone
// without the secret (a guess cannot be turned into the value being compared).
describe("API keys", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openPgliteTestStore();
  });
  afterAll(() => store.close());

  it("are looked up by their HMAC under the server's secret: the same key under another secret is not found", async () => {
    const { key } = await createApiKey(store.db, testHasher, "telco", "secret-bound");
    expect((await authenticateApiKey(store.db, testHasher, key))?.label).toBe("secret-bound");
    const otherSecret = createIdentifierHasher(Buffer.alloc(32, 9));
    expect(await authenticateApiKey(store.db, otherSecret, key)).toBeUndefined();
    const stored = await store.db.selectFrom("api_keys").selectAll().where("label", "=", "secret-bound").execute();
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it("are refused once revoked", async () => {
    const { id, key } = await createApiKey(store.db, testHasher, "telco", "to revoke");
    await store.db.updateTable("api_keys").set({ revoked_at: new Date() }).where("id", "=", id).execute();
    expect(await authenticateApiKey(store.db, testHasher, key)).toBeUndefined();
  });
});
