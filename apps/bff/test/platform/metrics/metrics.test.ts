import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeStoreQuery } from "../../../src/platform/metrics/metrics.js";
import { send, sendExact, startTestApp, type TestApp } from "../../support/harness.js";
import { startBffProcess } from "../../support/processes.js";

/**
 * `GET /metrics`: Prometheus text exposition format, checked by a strict parser; its counters
 * move with the traffic; with METRICS_TOKEN set, only that bearer token reads it.
 */

type Sample = { name: string; labels: Record<string, string>; value: number };
type Family = { type: string; help: string; samples: Sample[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;

/** A strict reader of the text format 0.0.4: every line a comment, a HELP/TYPE line or a sample of a declared family. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      expect(name).toMatch(NAME);
      const family = families.get(name) ?? { type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(rest);
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      continue;
    }
    expect(line.startsWith("#")).toBe(false);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText = "", valueText] = sample as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const match = LABEL.exec(labelText);
      if (!match) throw new Error(`bad labels: ${line}`);
      labels[match[1]!] = match[2]!;
    }
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    expect(Number.isNaN(value) && valueText !== "NaN").toBe(false);
    const familyName = [...families.keys()].find((f) => name === f || ((families.get(f)!.type === "histogram" || families.get(f)!.type === "summary") && /^(_bucket|_sum|_count)$/.test(name.slice(f.length)) && name.startsWith(f)));
    if (!familyName) throw new Error(`a sample of no declared family: ${line}`);
    families.get(familyName)!.samples.push({ name, labels, value });
  }
  for (const [name, family] of families) {
    expect(family.help, `${name} has HELP`).not.toBe("");
    if (family.type !== "histogram") continue;
    // Buckets are cumulative and the +Inf bucket equals the count, per label set.
    const series = new Map<string, Sample[]>();
    for (const s of family.samples.filter((s) => s.name === `${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      expect(le).toBeDefined();
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const values = buckets.map((b) => b.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      const count = family.samples.find((s) => s.name === `${name}_count` && JSON.stringify(s.labels) === key);
      expect(buckets.at(-1)?.labels.le).toBe("+Inf");
      expect(buckets.at(-1)?.value).toBe(count?.value);
    }
  }
  return families;
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, "")) ?? families.get(name);
  const sample = family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return sample?.value ?? 0;
}

const METRICS_TOKEN = "metrics-token-for-the-test-0123";

describe("GET /metrics", () => {
  let app: TestApp;
  let token: string;
  const scrape = async () => {
    const r = await sendExact(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain;/);
    expect(r.headers.get("content-type")).toContain("version=0.0.4");
    return parseExposition(r.text);
  };
  const score = () =>
    send(`${app.url}/camara/customerinsights/scoring/retrieve`, { method: "POST", headers: { authorization: `Bearer ${token}` }, json: { phoneNumber: "+34600000001" } });

  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN, RATE_LIMIT_MAX: "3" } });
    token = await app.token({ scopes: [SCORING_SCOPE] });
  });
  afterAll(() => app.close());

  it("answers 401 in problem format without the metrics token, or with another", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer nope" }, { authorization: `Bearer ${METRICS_TOKEN}x` }, { authorization: METRICS_TOKEN }]) {
      const r = await sendExact(`${app.url}/metrics`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(r.json).toMatchObject({ type: "urn:insights:problem:unauthenticated", status: 401 });
      expect(r.text).not.toContain("insights_bff");
    }
  });

  it("counts requests by contract route and status, with latency histograms, as the traffic moves", async () => {
    const before = await scrape();
    const route = { route: "scoring.retrieveScoring", method: "POST" };
    for (let i = 0; i < 2; i++) expect((await score()).status).toBe(200);
    await sendExact(`${app.url}/healthz`, { headers: {} });
    await sendExact(`${app.url}/no/such/5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001`, { headers: {} });
    const after = await scrape();
    expect(value(after, "insights_bff_http_requests_total", { ...route, status: "200" }) - value(before, "insights_bff_http_requests_total", { ...route, status: "200" })).toBe(2);
    expect(value(after, "insights_bff_http_request_duration_seconds_count", route) - value(before, "insights_bff_http_request_duration_seconds_count", route)).toBe(2);
    expect(value(after, "insights_bff_http_requests_total", { route: "system.getHealth", method: "GET", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "insights_bff_http_requests_total", { route: "unmatched", method: "GET", status: "404" })).toBe(1);
  });

  it("counts rate-limit rejections", async () => {
    const before = value(await scrape(), "insights_bff_rate_limit_rejections_total", { scope: "caller" });
    let refused = 0;
    for (let i = 0; i < 3; i++) if ((await score()).status === 429) refused++;
    expect(refused).toBeGreaterThan(0);
    expect(value(await scrape(), "insights_bff_rate_limit_rejections_total", { scope: "caller" }) - before).toBe(refused);
  });

  it("has the store query latency histogram that observeStoreQuery feeds", async () => {
    observeStoreQuery(0.003, "other");
    const families = await scrape();
    expect(families.get("insights_bff_store_query_duration_seconds")?.type).toBe("histogram");
    expect(value(families, "insights_bff_store_query_duration_seconds_count", { operation: "other" })).toBeGreaterThanOrEqual(1);
  });

  it("never labels with a path, an identifier or anything a caller sent", async () => {
    await sendExact(`${app.url}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories?x=%2B34600000001`, { method: "BREW", headers: {} });
    const families = await scrape();
    for (const family of families.values()) {
      for (const sample of family.samples) {
        for (const labelValue of Object.values(sample.labels)) {
          expect(labelValue).not.toMatch(/\/|\d{7,}|[0-9a-f]{8}-[0-9a-f]{4}/);
        }
      }
    }
  });
});

describe("GET /metrics without METRICS_TOKEN", () => {
  it("is open (the README says to set the token in production)", async () => {
    const app = await startTestApp();
    try {
      const r = await sendExact(`${app.url}/metrics`, { headers: {} });
      expect(r.status).toBe(200);
      expect(parseExposition(r.text).get("insights_bff_http_requests_total")?.type).toBe("counter");
    } finally {
      await app.close();
    }
  });
});

describe("GET /metrics of a running BFF process", () => {
  it("times every query its store runs, by kind: a readiness check's ping is one more select", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "bff-metrics-"));
    const bff = await startBffProcess({ DATA_DIR: dataDir, LOG_LEVEL: "warn" });
    try {
      const selects = async () => {
        const res = await send(`${bff.url}/metrics`);
        return value(parseExposition(res.text), "insights_bff_store_query_duration_seconds_count", { operation: "select" });
      };
      const before = await selects();
      expect(before).toBeGreaterThan(0); // the demo data load's look-ups, at start
      expect((await send(`${bff.url}/readyz`)).status).toBe(200);
      expect(await selects()).toBeGreaterThan(before);
    } finally {
      await bff.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
