// npm run ci:cache-proof: proves that turbo's remote cache makes a second machine replay the
// first one's work. It starts a real self-hosted remote cache server (turborepo-remote-cache,
// local storage, bound to 127.0.0.1), then runs `npm test`'s task graph in two fresh clones of
// HEAD, each with its own empty local cache (as two machines would have), both pointed at the
// server through TURBO_API/TURBO_TOKEN/TURBO_TEAM, and prints tasks replayed and wall time for
// each. Not part of `npm test` (it runs the whole suite twice).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./pnpm.mjs";
import { formatCounts } from "./test-summary.mjs";

// The server's cookie@2 dependency declares Node >= 22 yet runs on 20: installed outside the
// workspace with engine-strict off, once per machine.
const SERVER_PACKAGE = "turborepo-remote-cache@2.12.0";
const serverHome = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "insights-bff", "remote-cache-server");
const serverEntry = join(serverHome, "node_modules", "turborepo-remote-cache", "dist", "cli.js");

function installServer() {
  if (existsSync(serverEntry)) return;
  mkdirSync(serverHome, { recursive: true });
  process.stderr.write(`installing ${SERVER_PACKAGE} into ${serverHome}\n`);
  const result = spawnSync("npm", ["install", "--prefix", serverHome, "--no-save", "--no-audit", "--no-fund", SERVER_PACKAGE], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, npm_config_engine_strict: "false", npm_config_loglevel: "error" },
  });
  if (result.status !== 0) throw new Error(`npm install ${SERVER_PACKAGE} failed`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startServer(work) {
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const child = spawn(process.execPath, [serverEntry], {
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(port),
      TURBO_TOKEN: token,
      STORAGE_PROVIDER: "local",
      STORAGE_PATH: join(work, "remote-cache"),
      STORAGE_PATH_USE_TMP_FOLDER: "false",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the remote cache server exited with ${child.exitCode}`);
    const status = await fetch(`${url}/v8/artifacts/status`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { child, url, token };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error("the remote cache server did not answer within 10 s");
}

/** A fresh clone of HEAD, with shared/ beside it when the repository has it, as CI has. */
function freshClone(work, name) {
  const parent = join(work, name);
  mkdirSync(parent);
  const clone = join(parent, "main");
  const result = spawnSync("git", ["clone", "--quiet", repoRoot, clone], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("git clone failed");
  const shared = join(repoRoot, "..", "shared");
  if (existsSync(shared)) symlinkSync(shared, join(parent, "shared"));
  return clone;
}

function runTests(clone, env) {
  const started = Date.now();
  const summaryFile = join(clone, "..", "summary.json");
  const result = spawnSync(process.execPath, ["scripts/test.mjs"], {
    cwd: clone,
    env: { ...process.env, ...env, TEST_SUMMARY_FILE: summaryFile },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (Date.now() - started) / 1000;
  const replay = /turbo: (\d+) of (\d+) tasks replayed/.exec(result.stdout ?? "");
  const counts = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : { passed: 0, failed: 1, skipped: 0 };
  return { status: result.status, seconds, replayed: Number(replay?.[1] ?? 0), tasks: Number(replay?.[2] ?? 0), counts, output: result.stdout ?? "" };
}

installServer();
const work = mkdtempSync(join(tmpdir(), "insights-cache-proof-"));
const server = await startServer(work);
let failed = false;
try {
  const remote = { TURBO_API: server.url, TURBO_TOKEN: server.token, TURBO_TEAM: "insights", TURBO_TELEMETRY_DISABLED: "1" };
  const rows = [];
  for (const name of ["first", "second"]) {
    const clone = freshClone(work, name);
    process.stderr.write(`${name} clone: npm test's task graph with an empty local cache and the remote cache at ${server.url}\n`);
    const run = runTests(clone, { ...remote, TURBO_CACHE_DIR: join(work, `${name}-local-cache`) });
    if (run.status !== 0) {
      failed = true;
      process.stderr.write(run.output);
    }
    rows.push({ name, ...run });
  }
  process.stdout.write("\n| clone | tasks replayed | wall time | tests |\n| --- | --- | --- | --- |\n");
  for (const row of rows) {
    process.stdout.write(`| ${row.name} | ${row.replayed} of ${row.tasks} | ${row.seconds.toFixed(1)} s | ${formatCounts(row.counts)} |\n`);
  }
  const [first, second] = rows;
  const sameCounts = JSON.stringify(first.counts) === JSON.stringify(second.counts);
  process.stdout.write(
    `\nsecond clone: ${((100 * second.replayed) / Math.max(second.tasks, 1)).toFixed(0)}% of tasks replayed, ` +
      `${((100 * second.seconds) / first.seconds).toFixed(0)}% of the first's wall time, counts ${sameCounts ? "identical" : "DIFFERENT"}\n`,
  );
  if (!sameCounts || second.replayed < second.tasks) failed = true;
} finally {
  server.child.kill();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
