import { randomBytes, randomUUID } from "node:crypto";
import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE } from "@insights/contracts/categories";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { reportSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { developmentKeys, send, signTestToken } from "./support/harness.js";
import { startBffProcess, type BffProcess } from "./support/processes.js";

/**
 * Two BFF processes behind one imaginary load balancer: one PostgreSQL schema, one Redis, one
 * token issuer. Whichever replica a request reaches, the caller's rate-limit budget and the
 * data are the same.
 */

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const missing = [!databaseUrl && "DATABASE_URL", !redisUrl && "REDIS_URL"].filter(Boolean);
if (missing.length > 0) reportSkip("BFF scale-out (two processes)", `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} unset`);

const LIMIT = 20;
const BURST = 60;
const SCORING = "/camara/customerinsights/scoring/retrieve";
const LUIS_PHONE = "+34600000001";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const CHURN_RISK = 214748365;
/** Each replica caches reads for a minute here: only PostgreSQL's change notification can make the other see a write sooner. */
const READ_CACHE_TTL_MS = 60_000;
/** How soon a replica must see a write the other acknowledged (notifications take milliseconds; docs/performance.md#read-cache). */
const SEEN_WITHIN_MS = 1_000;

describe.skipIf(missing.length > 0)("two BFF processes on one PostgreSQL and one Redis", () => {
  const schema = `scale_out_${process.pid}_${randomBytes(3).toString("hex")}`;
  let admin: pg.Client;
  let replicas: BffProcess[] = [];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = `${databaseUrl}${databaseUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    // DATA_DIR holds the development signing key the harness signs with: both verify its tokens.
    const { dir } = await developmentKeys();
    const env = {
      DATABASE_URL: url,
      REDIS_URL: redisUrl!,
      DATA_DIR: dir,
      LOAD_DEMO_DATA: "true",
      IDENTIFIER_HASH_KEY: "07".repeat(32),
      IMPORT_QUEUE_SCHEMA: `${schema}_queue`,
      RATE_LIMIT_MAX: String(LIMIT),
      // The client-address budget is shared by every test on this Redis: out of the way.
      RATE_LIMIT_ADDRESS_MAX: "1000000",
      LOG_LEVEL: "info",
      READ_CACHE_TTL_MS: String(READ_CACHE_TTL_MS),
    };
    replicas = await Promise.all([startBffProcess(env), startBffProcess(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.query(`drop schema if exists ${schema}_queue cascade`);
    await admin?.end();
  }, 60_000);

  it(`share one rate-limit budget exactly: of ${BURST} concurrent requests split across both, ${LIMIT} succeed and the rest get CAMARA's 429`, async () => {
    // A caller of its own, so that no earlier run's counter in Redis is reused.
    const token = await signTestToken({ scopes: [SCORING_SCOPE], phoneNumber: LUIS_PHONE, subject: `scale-out-${randomUUID()}` });
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        send(replicas[i % 2]!.url + SCORING, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: "{}" }),
      ),
    );
    // Each replica alone would let LIMIT through: together they let LIMIT through in all.
    const succeeded = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(succeeded).toHaveLength(LIMIT);
    expect(limited).toHaveLength(BURST - LIMIT);
    for (const r of limited) {
      expect(r.json).toEqual({ status: 429, code: "TOO_MANY_REQUESTS", message: "Rate limit reached." });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it(`see a write acknowledged by the other within ${SEEN_WITHIN_MS} ms, though each caches reads for a minute`, async () => {
    const token = await signTestToken({ scopes: [CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE], subject: `scale-out-${randomUUID()}` });
    const [a, b] = replicas as [BffProcess, BffProcess];
    const path = `/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories`;
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    const readThroughB = () => send(`${b.url}${path}/${CHURN_RISK}`, { headers });
    const seenThroughB = async (expected: Record<string, unknown>) => {
      const started = performance.now();
      for (;;) {
        const read = await readThroughB();
        const elapsed = performance.now() - started;
        if ((read.status === 200 && (read.json as Record<string, unknown>).value === expected.value) || elapsed > SEEN_WITHIN_MS) return { read, elapsed };
      }
    };
    // B reads first, so that what it then answers could come from its cache.
    expect((await readThroughB()).status).toBe(404);
    expect((await readThroughB()).status).toBe(404);

    const created = await send(a.url + path, { method: "POST", headers, json: { id: CHURN_RISK, value: "high", reason: "written through replica A" } });
    expect(created.status, created.text).toBe(201);
    const first = await seenThroughB({ value: "high" });
    expect(first.read.status, `B still answered ${first.read.status} after ${first.elapsed.toFixed(0)} ms`).toBe(200);
    expect(first.read.json).toMatchObject({ id: CHURN_RISK, value: "high", reason: "written through replica A" });

    const patched = await send(`${a.url}${path}/${CHURN_RISK}`, { method: "PATCH", headers, json: { value: "low" } });
    expect(patched.status, patched.text).toBe(204);
    const second = await seenThroughB({ value: "low" });
    expect((second.read.json as Record<string, unknown>).value, `B still answered the old value after ${second.elapsed.toFixed(0)} ms`).toBe("low");
  });
});
