// A package's `build` script: `node ../../scripts/build-stamp.mjs <compiler command…>`. Reads the
// package's build inputs, runs the compiler, and when it succeeds records those inputs in
// dist/.build-inputs.json (freshness.mjs), so the stamp travels with dist/ through turbo's cache.
// The inputs are read before the compiler starts: a file saved during the build leaves the
// stamp stale, never falsely current.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { buildInputs, writeBuildStamp } from "./freshness.mjs";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: node scripts/build-stamp.mjs <command> [args…] (in a package folder)\n");
  process.exit(2);
}
// The workspace root: the nearest folder up from the package that has pnpm-workspace.yaml.
let root = process.cwd();
while (!existsSync(join(root, "pnpm-workspace.yaml"))) {
  if (dirname(root) === root) {
    process.stderr.write("build-stamp.mjs: no pnpm-workspace.yaml above the current folder\n");
    process.exit(2);
  }
  root = dirname(root);
}
const packageDir = relative(root, process.cwd());
const inputs = buildInputs(root, packageDir);
const result = spawnSync(command, args, { stdio: "inherit" });
if (result.error) process.stderr.write(`${command}: ${result.error.message}\n`);
if (result.status === 0) writeBuildStamp(root, packageDir, inputs);
process.exit(result.status ?? 1);
