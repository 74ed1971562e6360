import { Writable } from "node:stream";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import type { Logger } from "pino";
import { ConfigError, createLogger, loadStoreSettings, parseEnvironment, sharedEnvShape, storeConfig, storeSettings } from "../src/index.js";
import { appendToRunLog } from "../src/testing.js";

const schema = z.object({ ...sharedEnvShape });

/** A destination that keeps every line a logger writes (and copies it to the run's log). */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      appendToRunLog("config.test", chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

describe("shared configuration", () => {
  it("gives the BFF's defaults, empty values counting as unset", () => {
    const settings = storeSettings(parseEnvironment(schema, { DATA_DIR: "", LOG_LEVEL: "" }));
    expect(settings).toMatchObject({
      database: { url: undefined, poolMax: 10, statementTimeoutMs: 5000 },
      identifierHashKey: undefined,
      loadDemoData: true,
      logLevel: "info",
      importQueue: { schema: "pgboss", chunkExpireSeconds: 300, chunksPerWorker: 1 },
      importLimits: { maxRecordBytes: 1024 * 1024, maxDecompressedBytes: 1024 * 1024 * 1024, maxAttempts: 3, maxUploadBytes: 1024 * 1024 * 1024, maxRejects: 10_000, maxActiveJobsPerOrg: 2 },
    });
    expect(settings.dataDir.endsWith("/.data")).toBe(true);
    expect(storeSettings(parseEnvironment(schema, { NODE_ENV: "production" })).loadDemoData).toBe(false);
  });

  it("maps the store settings to the store's configuration, the one way every process opens the store", () => {
    const settings = loadStoreSettings({
      NODE_ENV: "production",
      DATA_DIR: "/var/lib/insights",
      DATABASE_URL: "postgres://db.example.com/insights",
      DATABASE_POOL_MAX: "7",
      DATABASE_STATEMENT_TIMEOUT_MS: "1234",
      IDENTIFIER_HASH_KEY: "ab".repeat(32),
    });
    expect(storeConfig(settings)).toStrictEqual({
      databaseUrl: "postgres://db.example.com/insights",
      dataDir: "/var/lib/insights",
      poolMax: 7,
      statementTimeoutMs: 1234,
      identifierHashKey: Buffer.from("ab".repeat(32), "hex"),
      production: true,
    });
  });

  it("applies the production checks every process shares: a configured hashing key, no demo data", () => {
    expect(() => loadStoreSettings({ NODE_ENV: "production" })).toThrow(/IDENTIFIER_HASH_KEY: is required when NODE_ENV=production/);
    expect(() => loadStoreSettings({ NODE_ENV: "production", IDENTIFIER_HASH_KEY: "ab".repeat(32), LOAD_DEMO_DATA: "true" })).toThrow(/LOAD_DEMO_DATA: demo data is never loaded in production/);
    expect(loadStoreSettings({ NODE_ENV: "production", IDENTIFIER_HASH_KEY: "ab".repeat(32) })).toMatchObject({ production: true, loadDemoData: false });
    expect(loadStoreSettings({})).toMatchObject({ production: false, loadDemoData: true, identifierHashKey: undefined });
  });

  it("bounds the import limits (IMPORT_MAX_*): each at its largest and at 1 is taken, one past either refused", () => {
    const limits = (env: Record<string, string>) => storeSettings(parseEnvironment(schema, env)).importLimits;
    const MiB = 1024 * 1024;
    expect(
      limits({
        IMPORT_MAX_RECORD_BYTES: String(64 * MiB),
        IMPORT_MAX_DECOMPRESSED_MB: String(MiB),
        IMPORT_MAX_ATTEMPTS: "100",
        IMPORT_MAX_UPLOAD_MB: String(MiB),
        IMPORT_MAX_REJECTS: "100000000",
        IMPORT_MAX_ACTIVE_JOBS_PER_ORG: "1000",
      }),
    ).toEqual({ maxRecordBytes: 64 * MiB, maxDecompressedBytes: MiB * MiB, maxAttempts: 100, maxUploadBytes: MiB * MiB, maxRejects: 100_000_000, maxActiveJobsPerOrg: 1000 });
    const ones = ["IMPORT_MAX_RECORD_BYTES", "IMPORT_MAX_DECOMPRESSED_MB", "IMPORT_MAX_ATTEMPTS", "IMPORT_MAX_UPLOAD_MB", "IMPORT_MAX_REJECTS", "IMPORT_MAX_ACTIVE_JOBS_PER_ORG"];
    expect(limits(Object.fromEntries(ones.map((name) => [name, "1"])))).toEqual({ maxRecordBytes: 1, maxDecompressedBytes: MiB, maxAttempts: 1, maxUploadBytes: MiB, maxRejects: 1, maxActiveJobsPerOrg: 1 });
    for (const bad of [
      { IMPORT_MAX_RECORD_BYTES: String(64 * MiB + 1) },
      { IMPORT_MAX_DECOMPRESSED_MB: String(MiB + 1) },
      { IMPORT_MAX_ATTEMPTS: "101" },
      { IMPORT_MAX_UPLOAD_MB: String(MiB + 1) },
      { IMPORT_MAX_REJECTS: "100000001" },
      { IMPORT_MAX_ACTIVE_JOBS_PER_ORG: "1001" },
      ...ones.map((name) => ({ [name]: "0" })),
    ]) {
      expect(() => parseEnvironment(schema, bad), JSON.stringify(bad)).toThrow(new RegExp(Object.keys(bad)[0]!));
    }
  });

  it("bounds IMPORT_WORKER_CHUNKS: 1 (the default) and 16 taken, 0 and 17 refused", () => {
    const chunks = (env: Record<string, string>) => storeSettings(parseEnvironment(schema, env)).importQueue.chunksPerWorker;
    expect(chunks({})).toBe(1);
    expect(chunks({ IMPORT_WORKER_CHUNKS: "1" })).toBe(1);
    expect(chunks({ IMPORT_WORKER_CHUNKS: "16" })).toBe(16);
    for (const bad of ["0", "17", "1.5"]) expect(() => parseEnvironment(schema, { IMPORT_WORKER_CHUNKS: bad }), bad).toThrow(/IMPORT_WORKER_CHUNKS/);
  });

  it("names every bad variable", () => {
    expect(() => parseEnvironment(schema, { DATABASE_URL: "mysql://x", IMPORT_QUEUE_SCHEMA: "Bad-Name", IDENTIFIER_HASH_KEY: "abc" })).toThrow(ConfigError);
    try {
      parseEnvironment(schema, { DATABASE_URL: "mysql://x", IMPORT_QUEUE_SCHEMA: "Bad-Name", IDENTIFIER_HASH_KEY: "abc" });
    } catch (error) {
      for (const name of ["DATABASE_URL", "IMPORT_QUEUE_SCHEMA", "IDENTIFIER_HASH_KEY"]) expect((error as Error).message).toContain(name);
    }
  });

  it("logs through a logger that redacts personal data, named for its service", async () => {
    const { lines, destination } = capture();
    const logger = createLogger("insights-worker", "info", destination);
    logger.info({ cardNumber: "4969452123456110", row: { idDocument: "87654321X" } }, "row for +34600000001");
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line.service).toBe("insights-worker");
    expect(lines.join("")).not.toMatch(/4969452123456110|87654321X|34600000001/);
  });

  it("censors credential and personal fields by name, however deep and whatever their value, in child bindings too", async () => {
    const { lines, destination } = capture();
    const logger = createLogger("insights-bff", "info", destination);
    logger.info({ req: { headers: { authorization: "Bearer abc.def", key: "k-1", cookie: "s=1" } }, a: { b: { c: { token: "t-1" } } } }, "x");
    logger.child({ phoneNumber: "600-1" }).info({ secretKey: "s-1", client_id: "app-1" }, "y");
    await new Promise((resolve) => setImmediate(resolve));
    const raw = lines.join("");
    for (const secret of ["abc.def", "k-1", "s=1", "t-1", "600-1", "s-1", "app-1"]) expect(raw).not.toContain(secret);
    const [first] = lines.map((line) => JSON.parse(line) as { req: { headers: Record<string, string> } });
    expect(first?.req.headers).toEqual({ authorization: "[REDACTED]", key: "[REDACTED]", cookie: "[REDACTED]" });
  });

  it.each([
    ["an 8-digit identity document with its letter, in a message", (log: Logger) => log.info("document 87654321X refused"), "87654321"],
    ["a card number written in groups, in a message", (log: Logger) => log.info("card 4969 4521 2345 6110 declined"), "4969 4521"],
    ["a phone number in an object field no rule names", (log: Logger) => log.info({ detail: { note: "call +34 600 000 001" } }, "x"), "600 000"],
    ["an identity document in an array inside an object", (log: Logger) => log.warn({ rows: [{ line: 3, raw: "87654321X;Luis" }] }, "rejected"), "87654321"],
    ["a card number in an error's message", (log: Logger) => log.error({ err: new Error("bad card 4969452123456110") }, "failed"), "4969452123456110"],
  ])("masks %s", async (_what, write, secret) => {
    const { lines, destination } = capture();
    write(createLogger("insights-bff", "info", destination));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.join("")).toContain("[REDACTED]");
    expect(lines.join("")).not.toContain(secret);
  });

  it("keeps our own identifiers and short numbers readable", async () => {
    const { lines, destination } = capture();
    createLogger("insights-bff", "info", destination).info({ requestId: "12345678-1234-4234-8234-123456789012", statusCode: 404, line: 1234 }, "row 1234 of job 42");
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({ requestId: "12345678-1234-4234-8234-123456789012", statusCode: 404, line: 1234, msg: "row 1234 of job 42" });
  });
});
