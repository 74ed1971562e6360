import { Writable } from "node:stream";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { ConfigError, createLogger, parseEnvironment, sharedEnvShape, storeSettings } from "../src/index.js";

const schema = z.object({ ...sharedEnvShape });

describe("shared configuration", () => {
  it("gives the BFF's defaults, empty values counting as unset", () => {
    const settings = storeSettings(parseEnvironment(schema, { DATA_DIR: "", LOG_LEVEL: "" }));
    expect(settings).toMatchObject({
      database: { url: undefined, poolMax: 10, statementTimeoutMs: 5000 },
      identifierHashKey: undefined,
      loadDemoData: true,
      logLevel: "info",
      importQueue: { schema: "pgboss", chunkExpireSeconds: 300 },
    });
    expect(settings.dataDir.endsWith("/.data")).toBe(true);
    expect(storeSettings(parseEnvironment(schema, { NODE_ENV: "production" })).loadDemoData).toBe(false);
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
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("insights-worker", "info", destination);
    logger.info({ cardNumber: "4969452123456110", row: { idDocument: "87654321X" } }, "row for +34600000001");
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line.service).toBe("insights-worker");
    expect(lines.join("")).not.toMatch(/4969452123456110|87654321X|34600000001/);
  });
});
