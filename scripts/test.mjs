// npm test: install (unless current), then build, lint, typecheck and test every workspace package through
// turbo, and end with one line summing them all: "N passed, N failed[, N skipped]"
// (scripts/test-summary.mjs says what counts as a failure). With TEST_SUMMARY_FILE set, the
// counts are also written there as JSON (.ci/run sums the runs on each Node.js version).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureInstalled, pnpm, repoRoot } from "./pnpm.mjs";
import { formatCounts, formatSlowest, latestTurboSummary, readTestArtifacts, slowestTestFiles, summarise } from "./test-summary.mjs";
import { workspaceDirs } from "./workspace.mjs";

const summaryFile = process.env.TEST_SUMMARY_FILE;

function finish(result, slowest = []) {
  for (const problem of result.problems) process.stdout.write(`failed: ${problem}\n`);
  for (const reason of result.skipReasons) process.stdout.write(`skipped: ${reason}\n`);
  if (slowest.length > 0) process.stdout.write(`\n${formatSlowest(slowest).join("\n")}\n`);
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed: result.passed, failed: result.failed, skipped: result.skipped, slowest }));
  process.stdout.write(`\n${formatCounts(result)}\n`);
  process.exit(result.failed > 0 ? 1 : 0);
}

/**
 * Inputs of a test's result that turbo cannot see in the package's files, as variables the
 * test task declares in turbo.json (so they are part of its hash):
 * - TEST_NODE_MAJOR: a result on one Node.js major is never replayed for another;
 * - CAMARA_OPENAPI_SHA256: the content of CAMARA's official document (read from outside the
 *   repository; its path, CAMARA_OPENAPI_PATH, is passed through unhashed), or "absent";
 * - TEST_OPTIONAL_TOOLS: which optional tools that decide a skip are on this machine.
 */
function testInputsEnv(env = process.env) {
  const camaraPath = env.CAMARA_OPENAPI_PATH ?? join(repoRoot, "..", "shared", "reference", "camara", "customer-insights-v0.2.0.yaml");
  const camara = existsSync(camaraPath) ? createHash("sha256").update(readFileSync(camaraPath)).digest("hex") : "absent";
  // A tool the tests install themselves when missing (Debian's chromium, by apt-get as root)
  // counts as available either way: the outcome, not the moment of install, is what is hashed.
  const installable = process.platform === "linux" && existsSync("/usr/bin/apt-get") && process.getuid?.() === 0;
  const tools = [["chromium", "/usr/bin/chromium"]].map(([name, path]) => `${name}=${existsSync(path) || installable ? "available" : "absent"}`).join(",");
  return { TEST_NODE_MAJOR: process.versions.node.split(".")[0], CAMARA_OPENAPI_SHA256: camara, TEST_OPTIONAL_TOOLS: tools };
}

if (!ensureInstalled({ exitOnFailure: false })) {
  finish({ passed: 0, failed: 1, skipped: 0, problems: ["dependency install (pnpm install --frozen-lockfile)"], skipReasons: [] });
}
// Results come back from turbo's cache for unchanged packages, so none may be left from an older run.
for (const dir of workspaceDirs(repoRoot)) rmSync(join(dir, ".vitest"), { recursive: true, force: true });

const startedAt = Date.now();
// Two at a time: the machines have two cores, and the process tests time real start-ups.
const turboExitCode = pnpm(["exec", "turbo", "run", "build", "lint", "typecheck", "test", "--continue", "--concurrency=2", "--summarize"], {
  env: testInputsEnv(),
});
const run = latestTurboSummary(repoRoot, startedAt);
if (!run) {
  finish({ passed: 0, failed: 1, skipped: 0, problems: [`turbo exited ${turboExitCode} without a run summary`], skipReasons: [] });
}
const cacheable = run.tasks.filter((task) => task.command !== "<NONEXISTENT>");
const replayed = cacheable.filter((task) => task.cache?.status === "HIT").length;
process.stdout.write(`\nturbo: ${replayed} of ${cacheable.length} tasks replayed from cache in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
const artifactsOf = (dir) => readTestArtifacts(join(repoRoot, dir));
finish(summarise({ tasks: run.tasks, artifactsOf, turboExitCode }), slowestTestFiles({ tasks: run.tasks, artifactsOf, root: repoRoot }));
