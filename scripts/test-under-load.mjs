// npm run test:under-load [-- --loops N]: `npm test` as on a shared, busy machine — N processes
// (default 2, one per core here) spin on the CPU beside it for the whole run. TURBO_FORCE makes
// every task run rather than replay from the cache. Prints the wall time and the load average
// before and after, ends with npm test's own summary line, and exits with its status. Each loop
// also stops by itself after two hours, should this script be killed before it can stop them.
import { spawn, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { repoRoot } from "./pnpm.mjs";

const { values } = parseArgs({ options: { loops: { type: "string", default: "2" } } });
const loops = Number(values.loops);
if (!Number.isInteger(loops) || loops < 0 || loops > 16) {
  process.stderr.write("--loops is a whole number from 0 to 16\n");
  process.exit(2);
}

const MAX_LOOP_MS = 2 * 60 * 60 * 1000;
const spinners = Array.from({ length: loops }, () =>
  spawn(process.execPath, ["-e", `const end = Date.now() + ${MAX_LOOP_MS}; while (Date.now() < end) {}`], { stdio: "ignore" }),
);
const stopSpinners = () => {
  for (const spinner of spinners) spinner.kill("SIGKILL");
};
process.on("exit", stopSpinners);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

const load = () => loadavg().map((value) => value.toFixed(2)).join(" ");
process.stdout.write(`test:under-load: ${loops} busy loop(s) beside npm test; load average ${load()}\n`);
const started = Date.now();
const result = spawnSync(process.execPath, ["scripts/test.mjs"], { cwd: repoRoot, stdio: "inherit", env: { ...process.env, TURBO_FORCE: "true" } });
stopSpinners();
process.stdout.write(`test:under-load: npm test took ${((Date.now() - started) / 1000).toFixed(0)} s beside ${loops} busy loop(s); load average at the end ${load()}\n`);
process.exit(result.status ?? 1);
