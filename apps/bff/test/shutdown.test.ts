import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, spawnEntry } from "./support/processes.js";

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the BFF process", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bff-main-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("starts with the embedded store, finishes a request in flight on SIGTERM, then exits 0", async () => {
    const child = spawnEntry("dist/main.js", [], { PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info" });
    const { output, finished } = collect(child);
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output().stdout)?.[1], 45_000);

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    // Log lines are written in batches, yet at most 100 ms late: this one shows while the process
    // runs on (without the periodic flush it would wait for 4 KiB of lines, that is forever here).
    const lineWith = (text: string) => () => output().stdout.split("\n").find((line) => line.includes(text));
    const readyLine = await waitFor(lineWith('"path":"/readyz"'), 10_000);
    expect(readyLine).toContain('"statusCode":200');

    // A request whose body is still arriving when the signal comes. Each step waits for the
    // server's own word, not for time to pass: its "100 Continue" says it has parsed the request
    // (so it is in flight, not in the listen backlog), its "signal received" line that the
    // shutdown has begun before the body ends.
    const { port } = new URL(url);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "POST", path: "/camara/customerinsights/slow", headers: { "content-type": "application/json", "transfer-encoding": "chunked", expect: "100-continue" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.on("continue", () => {
        req.write('{"phoneNumber":');
        child.kill("SIGTERM");
        waitFor(lineWith('"msg":"signal received"'), 10_000).then(() => req.end('"+34600000001"}'), reject);
      });
      req.flushHeaders();
    });

    expect(await inFlight).toBe(404);
    const result = await finished;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("shutdown complete");
    // The last lines, still waiting for their batch, are flushed on exit.
    expect(result.stdout).toMatch(/"path":"\/camara\/customerinsights\/slow"\},"res":\{"statusCode":404\}/);
    expect(result.stderr).toBe("");
  }, 60_000);

  it("refuses a second process on the same embedded data directory", async () => {
    const first = spawnEntry("dist/main.js", [], { PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
    const firstOutput = collect(first);
    await waitFor(() => /listening on/.exec(firstOutput.output().stdout)?.[0], 45_000);
    const second = await collect(spawnEntry("dist/main.js", [], { PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir })).finished;
    first.kill("SIGTERM");
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use by process \d+.*DATABASE_URL/);
    expect((await firstOutput.finished).code).toBe(0);
  }, 60_000);
});
