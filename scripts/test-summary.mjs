// The one line `npm test` ends with, "N passed, N failed[, N skipped]", from what turbo ran and
// what each package's test task left in its .vitest/ folder (restored from the cache when the
// task was replayed). Every failure counts: failed tests, test files that could not load, errors
// raised outside any test, a test task that ended without a report, and every other task
// (lint, typecheck, build) that failed. A failed run never says "0 failed".
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What a package's test task leaves in `<package>/.vitest/`; undefined parts are absent. */
export function readTestArtifacts(directory) {
  const read = (name) => {
    const path = join(directory, ".vitest", name);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  const report = read("report.json");
  const unhandled = read("unhandled-errors.json");
  const skipped = read("skipped.ndjson");
  return {
    report: report === undefined ? undefined : JSON.parse(report),
    unhandledErrors: unhandled === undefined ? undefined : JSON.parse(unhandled).count,
    skipReasons: (skipped ?? "")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

/** Test files that failed with no failed test inside: they could not load, or a hook failed. */
function filesFailedOutsideTests(report) {
  return report.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed"));
}

/**
 * Sums a run. `tasks`: turbo's run-summary tasks ({ taskId, task, directory, command,
 * execution: { exitCode } }); `artifactsOf(directory)`: readTestArtifacts or a stand-in;
 * `turboExitCode`: turbo's own status. Returns the counts, a line per problem found and the
 * distinct reasons tests were skipped.
 */
export function summarise({ tasks, artifactsOf, turboExitCode }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const skipReasons = new Map();
  for (const task of tasks) {
    if (task.command === "<NONEXISTENT>") continue;
    const exitCode = task.execution?.exitCode;
    if (task.task !== "test") {
      if (exitCode !== 0) {
        failed += 1;
        problems.push(`${task.taskId} ${exitCode === undefined || exitCode === null ? "did not run" : `failed (exit ${exitCode})`}`);
      }
      continue;
    }
    const { report, unhandledErrors, skipReasons: reasons } = artifactsOf(task.directory);
    for (const { what, reason } of reasons) skipReasons.set(`${what} tests: ${reason}`, true);
    if (!report) {
      failed += 1;
      problems.push(`${task.taskId} left no test report (exit ${exitCode ?? "none"}): it did not run to the end`);
      continue;
    }
    passed += report.numPassedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    let failedHere = report.numFailedTests;
    for (const file of filesFailedOutsideTests(report)) {
      failedHere += 1;
      problems.push(`${task.taskId}: ${file.name.slice(file.name.lastIndexOf("/") + 1)} failed outside its tests: ${firstLine(file.message)}`);
    }
    if (unhandledErrors > 0) {
      failedHere += unhandledErrors;
      problems.push(`${task.taskId}: ${unhandledErrors} error(s) raised outside any test`);
    }
    if (exitCode !== 0 && failedHere === 0) {
      failedHere = 1;
      problems.push(`${task.taskId} exited ${exitCode ?? "without a status"} though its report shows no failure`);
    }
    failed += failedHere;
  }
  if (turboExitCode !== 0 && failed === 0) {
    failed = 1;
    problems.push(`turbo exited ${turboExitCode} with every task accounted as passed`);
  }
  return { passed, failed, skipped, problems, skipReasons: [...skipReasons.keys()] };
}

/**
 * The `count` slowest test files of a run, slowest first: { file (from the repo root), seconds
 * (as vitest's report times the file), replayed (the result came from turbo's cache, so the
 * time is the one of the run that cached it) }.
 */
export function slowestTestFiles({ tasks, artifactsOf, root, count = 10 }) {
  const files = [];
  for (const task of tasks) {
    if (task.task !== "test" || task.command === "<NONEXISTENT>") continue;
    const { report } = artifactsOf(task.directory);
    for (const file of report?.testResults ?? []) {
      if (typeof file.startTime !== "number" || typeof file.endTime !== "number") continue;
      const path = file.name.startsWith(root) ? file.name.slice(root.length).replace(/^\//, "") : file.name;
      files.push({ file: path, seconds: (file.endTime - file.startTime) / 1000, replayed: task.cache?.status === "HIT" });
    }
  }
  return files.sort((a, b) => b.seconds - a.seconds).slice(0, count);
}

/** Lines that list slowest test files (slowestTestFiles) under a heading. */
export function formatSlowest(files, label) {
  const heading = `slowest test files${label ? ` on ${label}` : ""} (seconds):`;
  return [heading, ...files.map(({ file, seconds, replayed }) => `  ${seconds.toFixed(1).padStart(7)}  ${file}${replayed ? " (replayed from the cache)" : ""}`)];
}

function firstLine(text = "") {
  return text.split("\n", 1)[0].slice(0, 200);
}

/** "N passed, N failed[, N skipped]", optionally after one word and a colon ("node20:"). */
export function formatCounts({ passed, failed, skipped }, label) {
  const line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
  return label ? `${label}: ${line}` : line;
}

/** The run summary turbo wrote (`--summarize`) most recently under `<root>/.turbo/runs`, if any after `since` (ms). */
export function latestTurboSummary(root, since) {
  const dir = join(root, ".turbo", "runs");
  if (!existsSync(dir)) return undefined;
  const newest = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
    .filter((file) => file.mtime >= since)
    .sort((a, b) => b.mtime - a.mtime)[0];
  return newest ? JSON.parse(readFileSync(newest.path, "utf8")) : undefined;
}
