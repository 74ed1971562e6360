import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordTestSecret } from "@insights/config/testing";
import { openConfiguredStore } from "@insights/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntry } from "../support/processes.js";

const ADMIN = "dist/cli/admin.js";

/**
 * `npm run admin`, as its own process against an embedded store in production mode (no demo
 * data, no auth configuration needed): onboarding without SQL.
 */
describe("npm run admin", () => {
  let dataDir: string;
  let env: Record<string, string>;
  const admin = (...args: string[]) => runEntry(ADMIN, args, env);
  const inStore = async <T>(read: (store: Awaited<ReturnType<typeof openConfiguredStore>>) => Promise<T>) => {
    const store = await openConfiguredStore({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 5000, identifierHashKey: Buffer.from(env.IDENTIFIER_HASH_KEY!, "hex") });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bff-admin-"));
    env = { DATA_DIR: dataDir, NODE_ENV: "production", IDENTIFIER_HASH_KEY: "cd".repeat(32) };
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("creates and lists organisations, in a production store that holds no demo data", async () => {
    expect((await admin("org", "list")).stdout.trim()).toBe("id\tname\tcreated_at");
    const created = await admin("org", "create", "acme-bank", "--name", "Acme Bank");
    expect(created).toMatchObject({ code: 0 });
    expect(created.stderr).toContain("created organisation acme-bank");
    const listed = (await admin("org", "list")).stdout.trim().split("\n");
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatch(/^acme-bank\tAcme Bank\t\d{4}-/);
  }, 60_000);

  it("registers a Citibanamex API client with its countries, business codes and channels", async () => {
    const created = await admin("client", "create", "acme-app", "--org", "acme-bank", "--name", "Acme app", "--countries", "MX,US", "--business-codes", "BCNMX", "--channels", "MOBILE,BRANCH");
    expect(created.code).toBe(0);
    expect((await admin("client", "list", "--org", "acme-bank")).stdout.trim().split("\n")[1]).toBe("acme-app\tacme-bank\tAcme app\tMX,US\tBCNMX\tMOBILE,BRANCH");
    const client = await inStore((store) => store.findApiClient("acme-bank", "acme-app"));
    expect(client).toMatchObject({ countries: ["MX", "US"], business_codes: ["BCNMX"], channels: ["MOBILE", "BRANCH"] });
  }, 60_000);

  it("creates an API key (printed once, stored hashed), lists it without the key, and revokes it", async () => {
    const created = await admin("api-key", "create", "--org", "acme-bank", "--label", "CRM integration");
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    recordTestSecret("API key", key, "the key npm run admin -- api-key create printed");
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const id = /created API key ([0-9a-f-]{36})/.exec(created.stderr)?.[1];
    expect(id).toBeDefined();
    expect(await inStore((store) => store.authenticateApiKey(key))).toMatchObject({ orgId: "acme-bank", label: "CRM integration" });

    const listed = await admin("api-key", "list", "--org", "acme-bank");
    expect(listed.stdout).toContain(`${id}\tacme-bank\tCRM integration\t`);
    expect(listed.stdout).not.toContain(key);

    expect((await admin("api-key", "revoke", id!)).code).toBe(0);
    expect(await inStore((store) => store.authenticateApiKey(key))).toBeUndefined();
    expect((await admin("api-key", "list")).stdout).toMatch(new RegExp(`${id}\\tacme-bank\\tCRM integration\\t\\S+\\t\\d{4}-`));
    const again = await admin("api-key", "revoke", id!);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no live API key ${id}`);
  }, 60_000);

  it.each([
    ["an unknown organisation", ["api-key", "create", "--org", "nobody", "--label", "x"], /no organisation "nobody"/],
    ["an organisation id taken", ["org", "create", "acme-bank", "--name", "Again"], /organisation "acme-bank" exists already/],
    ["a bad organisation id", ["org", "create", "Acme Bank", "--name", "x"], /<id>: an organisation id is/],
    ["a missing option", ["client", "create", "x-app", "--org", "acme-bank", "--name", "X"], /--countries is required/],
    ["a bad country", ["client", "create", "x-app", "--org", "acme-bank", "--name", "X", "--countries", "Mexico", "--business-codes", "B", "--channels", "MOBILE"], /ISO 3166/],
    ["a key id that is not one", ["api-key", "revoke", "42"], /an API key id is a UUID/],
    ["an unknown command", ["org", "delete", "acme-bank"], /unknown command "org delete"/],
  ])("refuses %s with exit 2 and says why", async (_what, args, message) => {
    const result = await admin(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  }, 60_000);
});
