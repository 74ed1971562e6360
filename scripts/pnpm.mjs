// Runs the pnpm version pinned in package.json's packageManager through npx
// (corepack cannot verify signatures on this registry). Usage: node scripts/pnpm.mjs <pnpm args…>
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export function pinnedPnpm() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const match = /^pnpm@([^+]+)/.exec(pkg.packageManager ?? "");
  if (!match) throw new Error("package.json must pin pnpm in packageManager");
  return `pnpm@${match[1]}`;
}

/** Runs pnpm with the given arguments in the repo root; returns the exit status. */
export function pnpm(args, options = {}) {
  const result = spawnSync("npx", ["-y", pinnedPnpm(), ...args], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { TURBO_TELEMETRY_DISABLED: "1", ...process.env, ...options.env },
  });
  return result.status ?? 1;
}

/** Installs the workspace's dependencies exactly as locked. */
export function install() {
  const status = pnpm(["install", "--frozen-lockfile", "--reporter=silent"]);
  if (status !== 0) {
    process.stderr.write("dependency install failed\n");
    process.exit(status);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(pnpm(process.argv.slice(2)));
}
