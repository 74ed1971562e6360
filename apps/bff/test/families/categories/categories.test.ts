import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE, MAX_HISTORY_ENTRIES } from "@insights/contracts/categories";

import { openPgliteTestStore, testStoreVariants, type TestStore, openTestStoreOn } from "@insights/store/testing";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

const LUIS = "123e4567-e89b-12d3-a456-556642440000";
const OTHER_ORG_CUSTOMER = "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01";
const CATEGORY = 214748364;
const base = (app: TestApp, path: string) => `${app.url}/v4/orgs/telco${path}`;
const both = [CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE];

type Response = Awaited<ReturnType<typeof send>>;

function expectMasstackError(r: Response, status: number, code: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/json");
  const errors = r.json.errors as { error: Record<string, unknown> }[];
  expect(errors).toHaveLength(1);
  expect(Object.keys(errors[0]!.error).sort()).toEqual(["code", "message", "ref", "title"]);
  expect(errors[0]!.error.code).toBe(code);
}

async function call(app: TestApp, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; roles?: string; org?: string } = {}) {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.roles !== undefined) headers["x-auth-roles"] = options.roles;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return send(`${app.url}/v4/orgs/${options.org ?? "telco"}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

describe("customer categories", () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.token({ scopes: both, subject: "agent-42" });
  });
  afterAll(() => app.close());

  describe("the seed's curl examples, verbatim but for the Authorization header", () => {
    const auth = () => ({ Authorization: `Bearer ${token}` });

    it("GET categories", async () => {
      const r = await send(base(app, `/customers/${LUIS}/categories`), { headers: { Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() } });
      expect(r.status).toBe(200);
      expect(r.json.categories).toEqual([
        expect.objectContaining({ id: CATEGORY, name: "customer_type", value: "influencer", description: "Bill discount", reason: "Masmovil sponsors their videos" }),
      ]);
    });

    it("GET one category", async () => {
      const r = await send(base(app, `/customers/${LUIS}/categories/${CATEGORY}`), { headers: { Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() } });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ id: CATEGORY, value: "influencer" });
      expect(Date.parse(String(r.json.created_at))).not.toBeNaN();
    });

    it("GET historical", async () => {
      const r = await send(base(app, `/customers/${LUIS}/categories/historical`), { headers: { Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() } });
      expect(r.status).toBe(200);
      expect(r.json.history).toEqual([expect.objectContaining({ category_id: CATEGORY, operation: "create", value: "influencer", changed_by: "demo-data" })]);
    });

    it("PATCH (single-quoted body, as published)", async () => {
      const r = await send(base(app, `/customers/${LUIS}/categories/${CATEGORY}`), {
        method: "PATCH",
        headers: { "Content-Type": "application/json", Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() },
        body: "{\n  'value': 'influencer',\n  'description': 'This is an a of category 1',\n  'reason': 'Riesgo por campañas de fidelizacion: Fidelizacion CP Outbound MM'\n}",
      });
      expect(r.status).toBe(204);
      expect(r.text).toBe("");
    });

    it("DELETE", async () => {
      const r = await send(base(app, `/customers/${LUIS}/categories/${CATEGORY}`), { method: "DELETE", headers: { Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() } });
      expect(r.status).toBe(204);
    });

    it("POST (single-quoted body, as published) → 201, and again → 409", async () => {
      const post = () =>
        send(base(app, `/customers/${LUIS}/categories`), {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", "x-auth-roles": "API_KEY", ...auth() },
          body: "{\n  'id': 214748364,\n  'value': 'influencer',\n  'description': 'Bill discount',\n  'reason': 'Masmovil sponsors their videos'\n}",
        });
      const created = await post();
      expect(created.status).toBe(201);
      expect(created.text).toBe("");
      expectMasstackError(await post(), 409, "MCUS.999.994");
    });

    it("recorded every change above, in order, by the token's subject", async () => {
      const r = await call(app, "GET", `/customers/${LUIS}/categories/historical`, { token });
      const history = r.json.history as Record<string, unknown>[];
      expect(history.map((h) => h.operation)).toEqual(["create", "update", "delete", "create"]);
      expect(history.slice(1).every((h) => h.changed_by === "agent-42")).toBe(true);
      expect(history[1]).toMatchObject({ value: "influencer", description: "This is an a of category 1", reason: "Riesgo por campañas de fidelizacion: Fidelizacion CP Outbound MM" });
      const times = history.map((h) => Date.parse(String(h.changed_at)));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });
  });

  describe("create → patch → delete", () => {
    it("records value, description, reason, who and when for each step", async () => {
      const path = `/customers/${LUIS}/categories`;
      expect((await call(app, "POST", path, { token, body: { id: 214748365, value: "low", reason: "first contact" } })).status).toBe(201);
      expect((await call(app, "PATCH", `${path}/214748365`, { token, body: { value: "high", reason: "missed payments" } })).status).toBe(204);
      const one = await call(app, "GET", `${path}/214748365`, { token });
      expect(one.json).toMatchObject({ id: 214748365, name: "churn_risk", value: "high", description: null, reason: "missed payments" });
      expect((await call(app, "PATCH", `${path}/214748365`, { token, body: { description: null } })).status).toBe(204);
      expect((await call(app, "DELETE", `${path}/214748365`, { token })).status).toBe(204);
      expectMasstackError(await call(app, "GET", `${path}/214748365`, { token }), 404, "MCUS.999.997");
      const history = ((await call(app, "GET", `${path}/historical`, { token })).json.history as Record<string, unknown>[]).filter((h) => h.category_id === 214748365);
      expect(history.map(({ operation, value, description, reason, changed_by }) => ({ operation, value, description, reason, changed_by }))).toEqual([
        { operation: "create", value: "low", description: null, reason: "first contact", changed_by: "agent-42" },
        { operation: "update", value: "high", description: null, reason: "missed payments", changed_by: "agent-42" },
        { operation: "update", value: "high", description: null, reason: "missed payments", changed_by: "agent-42" },
        { operation: "delete", value: "high", description: null, reason: "missed payments", changed_by: "agent-42" },
      ]);
    });

    it("accepts null as a value where the catalogue allows it", async () => {
      const path = `/customers/${LUIS}/categories/${CATEGORY}`;
      expect((await call(app, "PATCH", path, { token, body: { value: null } })).status).toBe(204);
      expect((await call(app, "GET", path, { token })).json.value).toBeNull();
    });
  });

  describe("400 MCUS.999.998", () => {
    it.each([
      ["a malformed customer UUID", "GET", "/customers/not-a-uuid/categories", undefined],
      ["a category id that is not a number", "GET", `/customers/${LUIS}/categories/abc`, undefined],
      ["a category id beyond int32", "GET", `/customers/${LUIS}/categories/2147483648`, undefined],
      ["a category id with a fraction", "DELETE", `/customers/${LUIS}/categories/1.5`, undefined],
      ["a value outside the category's valid_values", "POST", `/customers/${LUIS}/categories`, { id: 214748365, value: "extreme" }],
      ["null where the category does not allow it", "POST", `/customers/${LUIS}/categories`, { id: 214748365, value: null }],
      ["an id that is not in the catalogue", "POST", `/customers/${LUIS}/categories`, { id: 1, value: "x" }],
      ["a missing id", "POST", `/customers/${LUIS}/categories`, { value: "low" }],
      ["a missing value", "POST", `/customers/${LUIS}/categories`, { id: 214748365 }],
      ["an id that is not an int32", "POST", `/customers/${LUIS}/categories`, { id: 3000000000, value: "low" }],
      ["an unknown property", "POST", `/customers/${LUIS}/categories`, { id: 214748365, value: "low", owner: "me" }],
      ["an empty patch", "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, {}],
      ["a patch value outside valid_values", "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, { value: "celebrity" }],
      // PostgreSQL text cannot hold NUL: these once failed the insert with a 500 (found by the fuzz suite).
      ["a NUL character in a reason", "POST", `/customers/${LUIS}/categories`, { id: 214748365, value: "low", reason: "x\u0000" }],
      ["a NUL character in a patched description", "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, { description: "a\u0000b" }],
      ["a NUL character in a catalogue's valid value", "POST", "/categories", { categories: [{ name: "nul_value", valid_values: ["\u0000", null] }] }],
      ["a NUL character in a catalogue's description", "POST", "/categories", { categories: [{ name: "nul_description", description: "\u0000", valid_values: ["a"] }] }],
    ])("for %s", async (_name, method, path, body) => {
      expectMasstackError(await call(app, method, path, { token, ...(body !== undefined ? { body } : {}) }), 400, "MCUS.999.998");
    });

    it("for a body that is not JSON, even with single quotes", async () => {
      expectMasstackError(await call(app, "POST", `/customers/${LUIS}/categories`, { token, raw: "{'id': 1," }), 400, "MCUS.999.998");
    });

    it("never changes data", async () => {
      const before = await call(app, "GET", `/customers/${LUIS}/categories/historical`, { token });
      await call(app, "POST", `/customers/${LUIS}/categories`, { token, body: { id: 214748365, value: "extreme" } });
      const after = await call(app, "GET", `/customers/${LUIS}/categories/historical`, { token });
      expect(after.json).toEqual(before.json);
    });
  });

  describe("401, 403 and 404", () => {
    it("answers 401 MCUS.999.996 without or with a bad token", async () => {
      expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`), 401, "MCUS.999.996");
      expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token: "x.y.z" }), 401, "MCUS.999.996");
    });

    it("answers 403 MCUS.999.995 when the token's organisation is not org_id", async () => {
      const other = await app.token({ scopes: both, orgId: "other" });
      expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token: other }), 403, "MCUS.999.995");
      expectMasstackError(await call(app, "GET", `/categories`, { token: other }), 403, "MCUS.999.995");
    });

    it("answers 403 for a write with a read-only token, and for a read without categories:read", async () => {
      const reader = await app.token({ scopes: [CATEGORIES_READ_SCOPE] });
      expect((await call(app, "GET", `/customers/${LUIS}/categories`, { token: reader })).status).toBe(200);
      expectMasstackError(await call(app, "DELETE", `/customers/${LUIS}/categories/${CATEGORY}`, { token: reader }), 403, "MCUS.999.995");
      const writer = await app.token({ scopes: [CATEGORIES_WRITE_SCOPE] });
      expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token: writer }), 403, "MCUS.999.995");
    });

    it.each(["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"])(
      "answers 403 MCUS.999.995, not a 500, for the role %s (a name every plain object has)",
      async (role) => {
        expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token, roles: role }), 403, "MCUS.999.995");
      },
    );

    it("lets x-auth-roles narrow, never widen, what the token allows", async () => {
      expectMasstackError(await call(app, "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, { token, roles: "CATEGORIES_READER", body: { reason: "x" } }), 403, "MCUS.999.995");
      expect((await call(app, "GET", `/customers/${LUIS}/categories`, { token, roles: "CATEGORIES_READER" })).status).toBe(200);
      expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token, roles: "ADMIN" }), 403, "MCUS.999.995");
      const reader = await app.token({ scopes: [CATEGORIES_READ_SCOPE] });
      expectMasstackError(await call(app, "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, { token: reader, roles: "CATEGORIES_WRITER", body: { reason: "x" } }), 403, "MCUS.999.995");
      expect((await call(app, "PATCH", `/customers/${LUIS}/categories/${CATEGORY}`, { token, roles: "CATEGORIES_READER, CATEGORIES_WRITER", body: { reason: "x" } })).status).toBe(204);
    });

    it("answers 404 MCUS.999.997 for an unknown customer, and for another organisation's customer", async () => {
      expectMasstackError(await call(app, "GET", `/customers/00000000-0000-4000-8000-000000000000/categories`, { token }), 404, "MCUS.999.997");
      expectMasstackError(await call(app, "GET", `/customers/${OTHER_ORG_CUSTOMER}/categories`, { token }), 404, "MCUS.999.997");
      expectMasstackError(await call(app, "POST", `/customers/${OTHER_ORG_CUSTOMER}/categories`, { token, body: { id: CATEGORY, value: "influencer" } }), 404, "MCUS.999.997");
      expectMasstackError(await call(app, "GET", `/customers/${OTHER_ORG_CUSTOMER}/categories/historical`, { token }), 404, "MCUS.999.997");
    });

    it("answers 404 for a category the customer does not have", async () => {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        expectMasstackError(await call(app, method, `/customers/${LUIS}/categories/999`, { token, ...(method === "PATCH" ? { body: { reason: "x" } } : {}) }), 404, "MCUS.999.997");
      }
    });
  });

  describe("catalogue", () => {
    it("lists the organisation's categories with their valid values", async () => {
      const r = await call(app, "GET", "/categories", { token });
      expect(r.json.categories).toEqual([
        expect.objectContaining({ id: 214748364, name: "customer_type", valid_values: ["influencer", "employee", "standard", null] }),
        expect.objectContaining({ id: 214748365, name: "churn_risk", valid_values: ["low", "medium", "high"] }),
      ]);
    });

    it("adds categories (201 with their ids) that customers can then use", async () => {
      const r = await call(app, "POST", "/categories", { token, body: { categories: [{ name: "loyalty_tier", description: "Tier", valid_values: ["gold", "silver"] }] } });
      expect(r.status).toBe(201);
      const id = (r.json.categories as { id: number }[])[0]!.id;
      expect((await call(app, "POST", `/customers/${LUIS}/categories`, { token, body: { id, value: "gold" } })).status).toBe(201);
      expectMasstackError(await call(app, "POST", `/customers/${LUIS}/categories`, { token, body: { id, value: "bronze" } }), 400, "MCUS.999.998");
    });

    it("answers 404 for an organisation the store does not have, even with a token of it (once a 500)", async () => {
      const ghost = await app.token({ scopes: both, orgId: "ghost" });
      const body = { categories: [{ name: "anything", valid_values: ["a"] }] };
      expectMasstackError(await call(app, "POST", "/categories", { token: ghost, org: "ghost", body }), 404, "MCUS.999.997");
      const proto = await app.token({ scopes: both, orgId: "__proto__" });
      expectMasstackError(await call(app, "POST", "/categories", { token: proto, org: "__proto__", body }), 404, "MCUS.999.997");
    });

    it("answers 409 for a name the organisation already has, adding none of the batch", async () => {
      const r = await call(app, "POST", "/categories", { token, body: { categories: [{ name: "brand_new", valid_values: ["a"] }, { name: "churn_risk", valid_values: ["x"] }] } });
      expectMasstackError(r, 409, "MCUS.999.994");
      const names = ((await call(app, "GET", "/categories", { token })).json.categories as { name: string }[]).map((c) => c.name);
      expect(names).not.toContain("brand_new");
    });

    it("answers 400 for duplicate names within one request or no valid values", async () => {
      expectMasstackError(await call(app, "POST", "/categories", { token, body: { categories: [{ name: "x1", valid_values: ["a"] }, { name: "x1", valid_values: ["b"] }] } }), 400, "MCUS.999.998");
      expectMasstackError(await call(app, "POST", "/categories", { token, body: { categories: [{ name: "x2", valid_values: [] }] } }), 400, "MCUS.999.998");
    });

    it("keeps catalogues apart: the other organisation's catalogue is its own", async () => {
      const other = await app.token({ scopes: both, orgId: "other" });
      const r = await call(app, "GET", "/categories", { token: other, org: "other" });
      expect((r.json.categories as { id: number }[]).map((c) => c.id)).toEqual([300000001]);
    });
  });

  it("answers 500 MCUS.999.999 for an unexpected failure, without internal detail", async () => {
    const store = await openPgliteTestStore();
    const broken = await startTestApp({ store });
    try {
      await sql`drop table customer_category_history`.execute(store.db);
      const r = await call(broken, "GET", `/customers/${LUIS}/categories/historical`, { token: await broken.token({ scopes: both }) });
      expectMasstackError(r, 500, "MCUS.999.999");
      expect(r.text).not.toMatch(/customer_category_history|relation|stack/i);
    } finally {
      await broken.close();
      await store.close();
    }
  });
});

describe("history paging (ours: the seed defines none)", () => {
  let store: TestStore;
  let app: TestApp;
  let token: string;
  const changes = MAX_HISTORY_ENTRIES + 5;
  beforeAll(async () => {
    store = await openPgliteTestStore();
    // A long history, written as the API writes it (the table is append-only).
    await sql`
      insert into customer_category_history (org_id, customer_id, category_id, operation, value, reason, actor)
      select 'telco', i.customer_id, ${CATEGORY}, 'update', 'employee', 'change ' || n, 'agent-7'
      from customer_identifiers i, generate_series(1, ${changes}) as n
      where i.org_id = 'telco' and i.kind = 'masstack_customer_id' and i.value = ${LUIS}
    `.execute(store.db);
    app = await startTestApp({ store });
    token = await app.token({ scopes: [CATEGORIES_READ_SCOPE] });
  });
  afterAll(() => app.close());

  const history = (query = "") => call(app, "GET", `/customers/${LUIS}/categories/historical${query}`, { token });
  const reasons = (r: Response) => (r.json.history as { reason: string | null }[]).map((h) => h.reason);

  it(`answers at most ${MAX_HISTORY_ENTRIES} entries without paging parameters, and a Link to the rest`, async () => {
    const r = await history();
    expect(r.status).toBe(200);
    expect(r.json.history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(r.headers.get("link")).toMatch(new RegExp(`^</v4/orgs/telco/customers/${LUIS}/categories/historical\\?limit=${MAX_HISTORY_ENTRIES}&cursor=[0-9]+>; rel="next"$`));
  });

  it("pages through every entry exactly once, in order, by following Link", async () => {
    const seen: (string | null)[] = [];
    let next: string | undefined = `/v4/orgs/telco/customers/${LUIS}/categories/historical?limit=400`;
    let pages = 0;
    while (next !== undefined) {
      const r = await send(`${app.url}${next}`, { headers: { Accept: "application/json", Authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      seen.push(...reasons(r));
      next = /^<([^>]+)>; rel="next"$/.exec(r.headers.get("link") ?? "")?.[1];
      pages += 1;
    }
    const seeded = Array.from({ length: changes }, (_, i) => `change ${i + 1}`);
    // The demo data's own entries come first.
    expect(seen.slice(-changes)).toEqual(seeded);
    expect(pages).toBe(Math.ceil(seen.length / 400));
  });

  it("sends no Link on the last page", async () => {
    const r = await history(`?limit=${MAX_HISTORY_ENTRIES}&cursor=999999999999`);
    expect(r.status).toBe(200);
    expect(r.json.history).toEqual([]);
    expect(r.headers.get("link")).toBeNull();
  });

  it.each([
    ["a limit of 0", "?limit=0"],
    [`a limit above ${MAX_HISTORY_ENTRIES}`, `?limit=${MAX_HISTORY_ENTRIES + 1}`],
    ["a limit that is not a number", "?limit=ten"],
    ["a cursor no Link header gave", "?cursor=abc"],
  ])("answers 400 MCUS.999.998 for %s", async (_name, query) => {
    expectMasstackError(await history(query), 400, "MCUS.999.998");
  });
});

const databaseUrl = process.env.DATABASE_URL;

describe.each(testStoreVariants(databaseUrl))("categories on $name", (variant) => {
  describe.skipIf(variant.skipReason !== undefined)("", () => {
    let store: TestStore;
    let app: TestApp;
    let token: string;
    const timeoutMs = 1000;
    beforeAll(async () => {
      store = await variant.open({ statementTimeoutMs: timeoutMs });
      app = await startTestApp({ store });
      token = await app.token({ scopes: both });
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    it("N parallel POSTs of one category: exactly one 201, the rest 409, one history entry", async () => {
      const path = `/customers/${LUIS}/categories`;
      const statuses = await Promise.all(Array.from({ length: 10 }, () => call(app, "POST", path, { token, body: { id: 214748365, value: "medium" } }).then((r) => r.status)));
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(9);
      const history = ((await call(app, "GET", `${path}/historical`, { token })).json.history as { category_id: number }[]).filter((h) => h.category_id === 214748365);
      expect(history).toHaveLength(1);
    });

    it("parallel PATCHes: each recorded, the final state equals the last committed one", async () => {
      const path = `/customers/${LUIS}/categories/${CATEGORY}`;
      const values = ["employee", "standard", "influencer", "employee", "standard", "influencer", "employee", "standard"];
      const statuses = await Promise.all(values.map((value, i) => call(app, "PATCH", path, { token, body: { value, reason: `patch ${i}` } }).then((r) => r.status)));
      expect(statuses.every((s) => s === 204)).toBe(true);
      const updates = ((await call(app, "GET", `/customers/${LUIS}/categories/historical`, { token })).json.history as Record<string, unknown>[]).filter(
        (h) => h.category_id === CATEGORY && h.operation === "update",
      );
      expect(updates.map((u) => u.reason).sort()).toEqual(values.map((_, i) => `patch ${i}`).sort());
      const last = updates.at(-1)!;
      const current = (await call(app, "GET", path, { token })).json;
      expect({ value: current.value, reason: current.reason }).toEqual({ value: last.value, reason: last.reason });
    });

    it("answers 504 MCUS.001.009 when a statement runs past the statement timeout", async () => {
      const release = await stallCategories(store, variant.name, databaseUrl);
      try {
        expectMasstackError(await call(app, "GET", `/customers/${LUIS}/categories`, { token }), 504, "MCUS.001.009");
      } finally {
        await release();
      }
      expect((await call(app, "GET", `/customers/${LUIS}/categories`, { token })).status).toBe(200);
    });

    it("answers 503 MCUS.001.005 when the store is unreachable", async () => {
      const unreachable =
        variant.name === "postgres"
          ? await openTestStoreOn({ kind: "postgres", connectionString: "postgres://postgres@127.0.0.1:1/test" })
          : await (async () => {
              const closed = await openPgliteTestStore();
              await closed.close();
              return closed;
            })();
      const down = await startTestApp({ store: unreachable });
      try {
        const r = await call(down, "GET", `/customers/${LUIS}/categories`, { token: await down.token({ scopes: both }) });
        expectMasstackError(r, 503, "MCUS.001.005");
        expect(r.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|closed/);
      } finally {
        await down.close();
        if (variant.name === "postgres") await unreachable.close();
      }
    });
  });
});

/**
 * Makes every statement on customer_categories wait, for real: on PostgreSQL another session
 * holds an exclusive lock on the table; on PGlite (one session) a transaction holds the session.
 * Returns the function that lets go.
 */
async function stallCategories(store: TestStore, kind: "pglite" | "postgres", url: string | undefined): Promise<() => Promise<void>> {
  if (kind === "postgres") {
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]!.s;
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query("begin");
    await blocker.query(`lock table ${schema}.customer_categories in access exclusive mode`);
    return async () => {
      await blocker.query("rollback");
      await blocker.end();
    };
  }
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const transaction = store.db.transaction().execute(async (tx) => {
    await sql`select 1`.execute(tx);
    started();
    await held;
  });
  await running;
  return async () => {
    finish();
    await transaction;
  };
}
