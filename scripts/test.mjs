// npm test: install, then lint, typecheck and test every package through turbo, and end with
// one line summing every package's vitest report: "N passed, N failed[, N skipped]".
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { install, pnpm, repoRoot } from "./pnpm.mjs";

const workspaceDirs = ["apps", "packages"].flatMap((group) =>
  readdirSync(join(repoRoot, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(repoRoot, group, entry.name)),
);
const reportOf = (dir) => join(dir, ".vitest", "report.json");

install();
// Reports come back from turbo's cache for unchanged packages, so none may be left from an older run.
for (const dir of workspaceDirs) rmSync(reportOf(dir), { force: true });

// Two at a time: the machines have two cores, and the process tests time real start-ups.
const status = pnpm(["exec", "turbo", "run", "lint", "typecheck", "test", "--continue", "--concurrency=2"]);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaceDirs) {
  if (!existsSync(join(dir, "package.json"))) continue;
  const hasTests = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts?.test;
  if (!hasTests) continue;
  if (!existsSync(reportOf(dir))) {
    missing.push(dir.slice(repoRoot.length + 1));
    continue;
  }
  const report = JSON.parse(readFileSync(reportOf(dir), "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (missing.length > 0) process.stdout.write(`\nno test report from: ${missing.join(", ")} (its test task did not run to the end)\n`);
if (status !== 0 && failed === 0) process.stdout.write("\na lint, typecheck or test task failed (see above)\n");
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
process.exit(status !== 0 || missing.length > 0 ? 1 : 0);
