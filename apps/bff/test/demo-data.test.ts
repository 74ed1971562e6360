import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { openRuntime, type Runtime } from "../src/runtime.js";

const HASH_KEY = "ef".repeat(32);
const production = {
  NODE_ENV: "production",
  AUTH_JWKS_URL: "https://idp.example.com/jwks",
  AUTH_ISSUER: "https://idp.example.com",
  AUTH_AUDIENCE: "insights",
  IDENTIFIER_HASH_KEY: HASH_KEY,
  METRICS_TOKEN: "metrics-token-of-the-test",
};

async function release(runtime: Runtime) {
  for (const r of runtime.release) await r();
}

describe("demo data, with its published API keys", () => {
  it("goes by default only into the embedded store, into PostgreSQL only when asked, and never in production", () => {
    expect(loadConfig({}).loadDemoData).toBe(true);
    expect(loadConfig({ DATABASE_URL: "postgres://db.example.com/insights" }).loadDemoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: "postgres://db.example.com/insights", LOAD_DEMO_DATA: "true" }).loadDemoData).toBe(true);
    expect(loadConfig(production).loadDemoData).toBe(false);
    expect(() => loadConfig({ ...production, LOAD_DEMO_DATA: "true" })).toThrow(/demo data/);
  });

  describe("a production start", () => {
    let withDemo: string;
    let clean: string;
    const logger = createTestLogger("insights-bff", "demo-data.test");
    beforeAll(async () => {
      withDemo = await mkdtemp(join(tmpdir(), "bff-demo-"));
      clean = await mkdtemp(join(tmpdir(), "bff-clean-"));
      // A development start fills the embedded store with the demo data.
      const development = await openRuntime(loadConfig({ DATA_DIR: withDemo, IDENTIFIER_HASH_KEY: HASH_KEY }), logger);
      expect(development.demoDataLoaded).toBe(true);
      await release(development);
    }, 60_000);
    afterAll(async () => {
      await rm(withDemo, { recursive: true, force: true });
      await rm(clean, { recursive: true, force: true });
    });

    it("refuses to run on a store that holds the demo organisations or keys, naming them", async () => {
      await expect(openRuntime(loadConfig({ ...production, DATA_DIR: withDemo }), logger)).rejects.toThrow(
        /refusing to use the store in production.*demo organisation "other".*demo organisation "telco".*demo API client "demo-mobile-app".*demo API key/,
      );
    }, 60_000);

    it("runs on a store without them, and loads none", async () => {
      const runtime = await openRuntime(loadConfig({ ...production, DATA_DIR: clean }), logger);
      try {
        expect(runtime.demoDataLoaded).toBe(false);
        expect(await runtime.store.listOrganisations()).toEqual([]);
      } finally {
        await release(runtime);
      }
    }, 60_000);
  });
});
