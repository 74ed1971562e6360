import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import type { ImportDataset } from "@insights/contracts/records";
import { executeJob, fileBody, sampleLines, stageImport } from "@insights/imports";
import { openPgliteTestStore, type TestStore } from "@insights/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sendExact, startTestApp, type TestApp } from "../support/harness.js";

/**
 * Imported data, served: the sample datasets go through the import pipeline into the store, and
 * an imported customer is then answered by every vendor API.
 */

let dir: string;
let store: TestStore;
let app: TestApp;
const samples = new Map<ImportDataset, Record<string, unknown>[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bff-imports-"));
  store = await openPgliteTestStore();
  const counts: [ImportDataset, number][] = [
    ["customers", 20],
    ["scores", 40],
    ["profile-attributes", 40],
    ["category-assignments", 40],
  ];
  for (const [dataset, rows] of counts) {
    const lines = [...sampleLines({ dataset, rows, bad: 0, seed: 1, org: "telco", format: "ndjson" })];
    samples.set(dataset, lines.map((l) => JSON.parse(l) as Record<string, unknown>));
    const file = join(dir, `${dataset}.ndjson`);
    await writeFile(file, `${lines.join("\n")}\n`);
    const job = await stageImport(store, dir, { orgId: "telco", dataset, format: "ndjson", body: fileBody(file) });
    const outcome = await executeJob({ store, logger: createTestLogger("insights-worker", "imported-data.test") }, job);
    expect(outcome, dataset).toMatchObject({ state: "succeeded", rows: { read: rows, imported: rows, rejected: 0 } });
  }
  app = await startTestApp({ store });
});
afterAll(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const first = (dataset: ImportDataset) => samples.get(dataset)?.[0] ?? {};

describe("an imported customer through the vendor APIs", () => {
  it("has a CAMARA score", async () => {
    const customer = first("customers");
    const score = samples.get("scores")?.find((s) => s.externalId === customer.externalId && s.scoringType === "gaugeMetric");
    const token = await app.token({ scopes: ["customer-insights:scoring:read"], phoneNumber: String(customer.phoneNumber) });
    const r = await send(`${app.url}/camara/customerinsights/scoring/retrieve`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, json: {} });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ scoringType: "gaugeMetric", scoringValue: score?.scoringValue });
  });

  it("has a Citibanamex segment, found by customer id and by card number", async () => {
    const customer = first("customers");
    const token = await app.token({ scopes: ["segments:read"] });
    for (const body of [{ customerId: customer.citibanamexCustomerId }, { cardNumber: customer.cardNumber }]) {
      const r = await sendExact(`${app.url}/v1/customers/segments/retrieve`, {
        method: "POST",
        headers: {
          client_id: "demo-mobile-app",
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          uuid: randomUUID(),
          "Content-Type": "application/json",
          countryCode: "MX",
          businessCode: "BCNMX",
          ChannelId: "MOBILE",
        },
        body: JSON.stringify(body),
      });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toEqual({ customer: { fullName: customer.fullName, customerSegment: customer.segment, birthdayTodayFlag: expect.any(Boolean) } });
    }
  });

  it("has IMIconnect attributes", async () => {
    const customer = first("customers");
    const r = await send(`${app.url}/resources/v1/customerprofile/${String(customer.imiconnectCustomerId)}`, { headers: { key: "demo-telco-profile-key" } });
    expect(r.status).toBe(200);
    const attributes = (r.json.Records as { Attributes: unknown[] }[])[0]?.Attributes;
    const expected = samples
      .get("profile-attributes")
      ?.filter((a) => a.externalId === customer.externalId)
      .map((a) => ({ ID: a.columnId, Name: a.name, Value: a.value }));
    expect(attributes).toEqual(expected);
  });

  it("has MasStack categories, with the import in their history", async () => {
    const customer = first("customers");
    const token = await app.token({ scopes: ["categories:read"] });
    const path = `${app.url}/v4/orgs/telco/customers/${String(customer.masstackCustomerId)}/categories`;
    const headers = { Accept: "application/json", Authorization: `Bearer ${token}` };
    const categories = await send(path, { headers });
    expect(categories.status, categories.text).toBe(200);
    const assigned = samples.get("category-assignments")?.filter((a) => a.externalId === customer.externalId) ?? [];
    expect(assigned.length).toBeGreaterThan(0);
    expect((categories.json.categories as { id: number; value: string }[]).map((c) => [c.id, c.value])).toEqual(assigned.map((a) => [a.categoryId, a.value]));
    const history = await send(`${path}/historical`, { headers });
    expect(history.status).toBe(200);
    const entries = history.json.history as { operation: string; reason: string; changed_by: string }[];
    expect(entries).toHaveLength(assigned.length);
    for (const entry of entries) {
      expect(entry.operation).toBe("create");
      expect(entry.changed_by).toBe(`import:${entry.reason}`);
    }
  });
});
