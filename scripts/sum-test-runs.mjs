// .ci/run's last word: `node scripts/sum-test-runs.mjs <label>=<summary.json> …` prints the ten
// slowest test files of each run of `npm test` (so the suite's cost stays in sight), one
// "<label>: N passed, N failed[, N skipped]" line per run (each wrote its counts to
// TEST_SUMMARY_FILE), then the plain sum of them all as the final line. A run that left no
// counts (it could not start, or its runtime could not be fetched) counts as one failure.
import { existsSync, readFileSync } from "node:fs";
import { formatCounts, formatSlowest } from "./test-summary.mjs";

const runs = process.argv.slice(2).map((argument) => {
  const [label, file] = argument.split("=", 2);
  return { label, summary: file && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { passed: 0, failed: 1, skipped: 0 } };
});
for (const { label, summary } of runs) {
  if (summary.slowest?.length) process.stdout.write(`${formatSlowest(summary.slowest, label).join("\n")}\n\n`);
}
const total = { passed: 0, failed: 0, skipped: 0 };
for (const { label, summary } of runs) {
  for (const key of Object.keys(total)) total[key] += summary[key];
  process.stdout.write(`${formatCounts(summary, label)}\n`);
}
process.stdout.write(`${formatCounts(total)}\n`);
process.exit(total.failed > 0 ? 1 : 0);
