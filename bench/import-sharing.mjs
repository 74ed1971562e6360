// npm run bench -- import-sharing [--rows 200000] [--seconds 20] [--rate 100] [--postgres postgres://…] [--only embedded|postgres]
// What an import running in the BFF's deployment does to everyone else, on a real BFF process:
//   - requests: p50/p99/max of reads (/healthz, CAMARA scoring, an IMIconnect profile) sent at a
//     fixed rate, first with no import, then while one organisation's N-row import runs;
//   - other organisations' imports: how long a 10-row import of another organisation takes
//     from upload to `succeeded` while the large one is still running.
// Embedded store: the BFF runs the import itself (issue goal: read p99 ≤ 25 ms). PostgreSQL: the
// BFF stages, one `npm run worker` imports (goal: the 10-row import within 10 s). Runs at
// --rows 1000000 on both stores: the upload is streamed, and the small import is timed while the
// large one is still running (the table says how far it had got).
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startServer } from "./processes.mjs";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "100" },
    postgres: { type: "string" },
    only: { type: "string" },
  },
});
const rows = Number(values.rows);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const postgres = values.postgres ?? process.env.DATABASE_URL;
const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "insights-bench-sharing-"));
const { sampleLines } = await import(join(root, "packages/imports/dist/index.js"));
const hashKey = "5a".repeat(32);

async function writeSample(file, dataset, count, org, seed) {
  const out = createWriteStream(file);
  for (const line of sampleLines({ dataset, rows: count, bad: 0, seed, org, format: "csv" })) {
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once("drain", resolve));
  }
  await new Promise((resolve) => out.end(resolve));
}

/** Reads at a fixed rate (not as fast as possible): latency then shows interference, not queueing among the readers. */
function measureReads(requests, duration = seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url: requests[0].url, connections: 4, overallRate: rate, duration, requests }, (error, result) => {
      if (error) return reject(error);
      resolve({ p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, requests: result.requests.total, bad: result.non2xx + result.errors + result.timeouts });
    });
  });
}

async function scenario(store) {
  const dir = join(work, store);
  const schema = `bench_sharing_${process.pid}`;
  const psql = (statement) => execFileSync("psql", [postgres, "-qc", statement], { stdio: "ignore" });
  const databaseUrl = store === "postgres" ? `${postgres}${postgres.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}` : undefined;
  if (databaseUrl) psql(`create schema ${schema}`);
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dir,
    LOG_LEVEL: "info",
    RATE_LIMIT_MAX: "100000000",
    LOAD_DEMO_DATA: "true",
    IDENTIFIER_HASH_KEY: hashKey,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, IMPORT_QUEUE_SCHEMA: `${schema}_queue` } : {}),
  };
  const bff = await startServer(root, ["apps/bff/dist/main.js"], env, join(work, `${store}-bff.log`));
  const worker = databaseUrl ? spawn(process.execPath, ["apps/worker/dist/main.js"], { cwd: root, env: { ...process.env, ...env }, stdio: "ignore" }) : undefined;
  const token = (...args) => execFileSync(process.execPath, ["apps/bff/dist/cli/token.js", ...args], { cwd: root, env: { ...process.env, ...env } }).toString().trim();
  try {
    const scoring = token("--scope", "customer-insights:scoring:read", "--phone", "+34600000001");
    const writer = { telco: token("--scope", "imports:write", "--scope", "imports:read", "--org", "telco"), other: token("--scope", "imports:write", "--scope", "imports:read", "--org", "other") };
    const reads = [
      { url: `${bff.url}/healthz`, method: "GET" },
      { url: `${bff.url}/camara/customerinsights/scoring/retrieve`, method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${scoring}`, "x-correlator": "bench" }, body: "{}" },
      { url: `${bff.url}/resources/v1/customerprofile/4545?showinwardlinks=2`, method: "GET", headers: { key: "demo-telco-profile-key" } },
    ].map((r) => ({ ...r, path: new URL(r.url).pathname + new URL(r.url).search }));
    // Streamed, and with no client timeout: a 1,000,000-row file is about 250 MB, and on
    // PostgreSQL the BFF answers once it has staged every chunk (fetch would give up after 300 s).
    const upload = (org, file) =>
      new Promise((resolve, reject) => {
        const url = new URL(`${bff.url}/admin/v1/imports?dataset=customers&format=csv`);
        const req = request(url, { method: "POST", headers: { authorization: `Bearer ${writer[org]}`, "content-type": "text/csv", "content-length": statSync(file).size } }, (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => (response.statusCode === 202 ? resolve(JSON.parse(text).id) : reject(new Error(`upload ${response.statusCode}: ${text}`))));
        });
        req.on("error", reject);
        createReadStream(file).on("error", reject).pipe(req);
      });
    const job = async (org, id) => (await (await fetch(`${bff.url}/admin/v1/imports/${id}`, { headers: { authorization: `Bearer ${writer[org]}` } })).json());

    // Not measured: the first seconds of a fresh process (JIT, first token verifications, cold cache).
    await measureReads(reads, 3);
    const quiet = await measureReads(reads);
    const large = join(work, "large.csv");
    const small = join(work, "small.csv");
    await writeSample(large, "customers", rows, "telco", 1);
    await writeSample(small, "customers", 10, "other", 2);
    const largeId = await upload("telco", large);
    for (;;) {
      const state = await job("telco", largeId);
      if (state.state === "running" && state.rows.read > 0) break;
      if (state.state === "failed" || state.state === "succeeded") throw new Error(`the large import ended before the measure: ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const startedRows = (await job("telco", largeId)).rows.read;
    const busyReads = measureReads(reads);
    // The other organisation's small import, half-way through the busy reads.
    await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 2));
    const smallStarted = performance.now();
    const smallId = await upload("other", small);
    let smallJob;
    do {
      smallJob = await job("other", smallId);
      if (smallJob.state !== "succeeded" && smallJob.state !== "failed") await new Promise((resolve) => setTimeout(resolve, 20));
    } while (smallJob.state !== "succeeded" && smallJob.state !== "failed");
    const smallSeconds = (performance.now() - smallStarted) / 1000;
    const largeWhenSmallEnded = await job("telco", largeId);
    const busy = await busyReads;
    const largeAfter = await job("telco", largeId);
    return {
      store,
      quiet,
      busy,
      smallSeconds,
      smallState: smallJob.state,
      largeState: largeWhenSmallEnded.state,
      largeReadWhenSmallEnded: largeWhenSmallEnded.rows.read,
      largeRowsPerSecond: (largeAfter.rows.read - startedRows) / seconds,
      largeRead: largeAfter.rows.read,
      fileMb: statSync(large).size / 2 ** 20,
    };
  } finally {
    const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve)));
    worker?.kill("SIGTERM");
    bff.child.kill("SIGTERM");
    await Promise.all([exited(bff.child), ...(worker ? [exited(worker)] : [])]);
    if (databaseUrl) psql(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
  }
}

const stores = [...(values.only !== "postgres" ? ["embedded"] : []), ...(postgres && values.only !== "embedded" ? ["postgres"] : [])];
const results = [];
try {
  for (const store of stores) results.push(await scenario(store));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\n${rows} customer rows imported by organisation telco while reads run at ${rate}/s (4 connections, ${seconds} s per phase), Node ${process.versions.node}\n`);
console.log("| store | reads p50 / p99 / max, no import (ms) | reads p50 / p99 / max, during the import (ms) | p99 ≤ 25 ms | other organisation's 10-row import | the large import when it ended | large import meanwhile |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  const small = `${r.smallState} in ${r.smallSeconds.toFixed(2)} s${r.smallSeconds <= 10 && r.smallState === "succeeded" ? " (≤ 10 s)" : " (goal: ≤ 10 s)"}`;
  console.log(
    `| ${r.store} | ${r.quiet.p50} / ${r.quiet.p99} / ${r.quiet.max} | ${r.busy.p50} / ${r.busy.p99} / ${r.busy.max} (${r.busy.bad} failed of ${r.busy.requests}) | ${r.store === "embedded" ? (r.busy.p99 <= 25 ? "yes" : "**no**") : "–"} | ${small} | ${r.largeState}, ${r.largeReadWhenSmallEnded.toLocaleString("en")} of ${rows.toLocaleString("en")} rows read | ${Math.round(r.largeRowsPerSecond)} rows/s, ${r.largeRead} read |`,
  );
}
// The fairness goal (issue 25): the small import succeeded within 10 s while the large one was still running.
for (const r of results) {
  const met = r.smallState === "succeeded" && r.smallSeconds <= 10 && r.largeState === "running";
  console.log(`goal, ${r.store}: another organisation's 10-row import within 10 s while the ${rows.toLocaleString("en")}-row import runs: ${met ? "met" : "NOT met"}`);
}
