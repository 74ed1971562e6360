// npm run ci:cache-proof: proves that turbo's remote cache makes a second machine replay the
// first one's work. It starts a real self-hosted remote cache server (turborepo-remote-cache,
// local storage, bound to 127.0.0.1), then takes two fresh clones of HEAD, each with its own
// empty local cache (as two machines would have), both pointed at the server through
// TURBO_API/TURBO_TOKEN/TURBO_TEAM, runs build, lint and typecheck in each, and prints tasks
// replayed and wall time for each. No test runs here: the cache is what is proved,
// and the full suite's replay is .ci/run's own (its second runtime, and any warm rerun).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { buildState } from "./freshness.mjs";
import { repoRoot } from "./pnpm.mjs";
import { latestTurboSummary } from "./test-summary.mjs";

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

/**
 * `npm test`'s install, then turbo's build, lint and typecheck tasks in the clone (no test task:
 * what is proved is the cache, and those tasks cache like the tests do, through the same
 * hashes). Returns the wall time, how many tasks were replayed and from where, and whether the
 * replayed build left the BFF current by its stamps (so `npm run token` would go straight through).
 */
function runChecks(clone, env) {
  const started = Date.now();
  const run = (args) =>
    spawnSync(process.execPath, ["scripts/pnpm.mjs", ...args], { cwd: clone, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const installed = run(["install", "--frozen-lockfile", "--reporter=silent"]);
  const checked = installed.status === 0 ? run(["exec", "turbo", "run", "build", "lint", "typecheck", "--concurrency=2", "--summarize"]) : installed;
  const seconds = (Date.now() - started) / 1000;
  const tasks = (latestTurboSummary(clone, started)?.tasks ?? []).filter((task) => task.command !== "<NONEXISTENT>");
  return {
    status: checked.status,
    output: `${checked.stdout ?? ""}${checked.stderr ?? ""}`,
    seconds,
    tasks: tasks.length,
    replayed: tasks.filter((task) => task.cache?.status === "HIT").length,
    remote: tasks.filter((task) => task.cache?.status === "HIT" && task.cache?.source === "REMOTE").length,
    bffCurrent: buildState(clone, "@insights/bff", ["apps/bff/dist/main.js"]).current,
  };
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
    process.stderr.write(`${name} clone: build, lint and typecheck with an empty local cache and the remote cache at ${server.url}\n`);
    const run = runChecks(clone, { ...remote, TURBO_CACHE_DIR: join(work, `${name}-local-cache`) });
    if (run.status !== 0 || run.tasks === 0 || !run.bffCurrent) {
      failed = true;
      process.stderr.write(run.output);
    }
    rows.push({ name, ...run });
  }
  process.stdout.write("\n| clone | tasks replayed (from the remote cache) | wall time (install + tasks) | BFF current by its build stamps |\n| --- | --- | --- | --- |\n");
  for (const row of rows) {
    process.stdout.write(`| ${row.name} | ${row.replayed} of ${row.tasks} (${row.remote}) | ${row.seconds.toFixed(1)} s | ${row.bffCurrent ? "yes" : "NO"} |\n`);
  }
  const [first, second] = rows;
  process.stdout.write(
    `\nsecond clone: ${((100 * second.remote) / Math.max(second.tasks, 1)).toFixed(0)}% of tasks replayed from the remote cache, ` +
      `${((100 * second.seconds) / first.seconds).toFixed(0)}% of the first's wall time\n`,
  );
  if (second.tasks !== first.tasks || second.remote < second.tasks) failed = true;
} finally {
  server.child.kill();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
