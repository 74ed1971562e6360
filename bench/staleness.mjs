// npm run bench -- staleness --postgres postgres://… [--rounds 200]: two BFF processes on one
// PostgreSQL schema, each with its read cache on (a TTL of a minute, so only the change
// notification can make a replica see a write sooner). Each round, replica B reads a category
// (and so caches it), replica A changes it, and B is asked again and again, with no pause, until it
// answers the new value: the time from A's acknowledgement to B's first new answer is how stale a
// replica can be. Prints the median, p99 and maximum (see docs/performance.md#read-cache).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "./processes.mjs";

const { values } = parseArgs({ options: { postgres: { type: "string" }, rounds: { type: "string", default: "200" } } });
if (!values.postgres) {
  console.error("usage: npm run bench -- staleness --postgres postgres://… [--rounds 200]");
  process.exit(2);
}
const rounds = Number(values.rounds);
const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "insights-staleness-"));
const schema = `staleness_${process.pid}`;
const psql = (statement) => execFileSync("psql", [values.postgres, "-qc", statement], { stdio: "ignore" });
psql(`create schema ${schema}`);
const env = {
  PORT: "0",
  HOST: "127.0.0.1",
  DATA_DIR: dataDir,
  LOG_LEVEL: "warn",
  NODE_ENV: "development",
  LOAD_DEMO_DATA: "true",
  READ_CACHE_TTL_MS: "60000",
  DATABASE_URL: `${values.postgres}${values.postgres.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
};
const replicas = [];
try {
  // One after the other: the first migrates the schema and loads the demo data.
  replicas.push(await startServer(root, ["apps/bff/dist/main.js"], env, join(dataDir, "a.log")));
  replicas.push(await startServer(root, ["apps/bff/dist/main.js"], env, join(dataDir, "b.log")));
  const [a, b] = replicas;
  const token = execFileSync(process.execPath, ["apps/bff/dist/cli/token.js", "--scope", "categories:read", "--scope", "categories:write"], { cwd: root, env: { ...process.env, ...env } })
    .toString()
    .trim();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const path = "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories/214748364";
  const valueAt = async (url) => (await (await fetch(url + path, { headers })).json()).value;

  const delays = [];
  let polls = 0;
  for (let round = 0; round < rounds; round++) {
    const value = round % 2 === 0 ? "employee" : "standard";
    await valueAt(b.url);
    const patched = await fetch(a.url + path, { method: "PATCH", headers, body: JSON.stringify({ value }) });
    if (patched.status !== 204) throw new Error(`PATCH answered ${patched.status}`);
    const acknowledged = performance.now();
    for (;;) {
      polls++;
      if ((await valueAt(b.url)) === value) break;
      if (performance.now() - acknowledged > 60_000) throw new Error("replica B never saw the write");
    }
    delays.push(performance.now() - acknowledged);
  }
  delays.sort((x, y) => x - y);
  const at = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))].toFixed(1);
  console.log(`node ${process.version}; ${rounds} writes through replica A, each read back through replica B (READ_CACHE_TTL_MS=60000)`);
  console.log(`A's acknowledgement → B's first new answer (ms, including B's own round trip): median ${at(0.5)}, p99 ${at(0.99)}, max ${delays.at(-1).toFixed(1)}`);
  console.log(`reads of B that still answered the old value: ${polls - rounds} in ${rounds} rounds`);
} finally {
  for (const replica of replicas) replica.child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(dataDir, { recursive: true, force: true });
  psql(`drop schema ${schema} cascade`);
}
