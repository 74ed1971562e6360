import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authenticateApiKey, loadIdentifierHasher, openConfiguredStore } from "@insights/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntry } from "./processes.js";

describe("npm run api-key", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bff-api-key-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("creates a key for an organisation, prints it once, and stores only its hash", async () => {
    const result = await runEntry("src/cli/api-key.ts", ["--org", "other", "--label", "CRM integration"], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    const key = result.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.stderr).toMatch(/created API key [0-9a-f-]{36} for organisation other/);

    const store = await openConfiguredStore({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 5000 });
    try {
      const hasher = await loadIdentifierHasher(undefined, dataDir);
      expect(await authenticateApiKey(store.db, hasher, key)).toMatchObject({ orgId: "other", label: "CRM integration" });
      const rows = await store.db.selectFrom("api_keys").select(["key_hash", "label"]).execute();
      expect(JSON.stringify(rows)).not.toContain(key);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("refuses an unknown organisation and missing arguments", async () => {
    const unknown = await runEntry("src/cli/api-key.ts", ["--org", "nobody", "--label", "x"], { DATA_DIR: dataDir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no organisation "nobody"/);
    const missing = await runEntry("src/cli/api-key.ts", ["--org", "telco"], { DATA_DIR: dataDir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--org and --label are required/);
  }, 60_000);
});
