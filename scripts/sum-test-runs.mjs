// .ci/run's last word: `node scripts/sum-test-runs.mjs <label>=<summary.json> …` prints one
// "<label>: N passed, N failed[, N skipped]" line per run of `npm test` (each wrote its counts
// to TEST_SUMMARY_FILE), then the plain sum of them all as the final line. A run that left no
// counts (it could not start, or its runtime could not be fetched) counts as one failure.
import { existsSync, readFileSync } from "node:fs";
import { formatCounts } from "./test-summary.mjs";

const total = { passed: 0, failed: 0, skipped: 0 };
for (const argument of process.argv.slice(2)) {
  const [label, file] = argument.split("=", 2);
  const counts = file && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { passed: 0, failed: 1, skipped: 0 };
  for (const key of Object.keys(total)) total[key] += counts[key];
  process.stdout.write(`${formatCounts(counts, label)}\n`);
}
process.stdout.write(`${formatCounts(total)}\n`);
process.exit(total.failed > 0 ? 1 : 0);
