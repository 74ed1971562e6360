// Runs the pnpm version pinned in package.json's packageManager through npx
// (corepack cannot verify signatures on this registry). Usage: node scripts/pnpm.mjs <pnpm args…>
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildState, installState, writeInstallStamp } from "./freshness.mjs";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export function pinnedPnpm() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const match = /^pnpm@([^+]+)/.exec(pkg.packageManager ?? "");
  if (!match) throw new Error("package.json must pin pnpm in packageManager");
  return `pnpm@${match[1]}`;
}

/**
 * Runs pnpm with the given arguments in the repo root; returns the exit status. Options:
 * { env, quiet } — quiet keeps pnpm's output to itself unless it fails (then it goes to stderr),
 * for commands whose stdout is data (npm run token).
 */
export function pnpm(args, options = {}) {
  const result = spawnSync("npx", ["-y", pinnedPnpm(), ...args], {
    cwd: repoRoot,
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    // npm's own warnings (about the machine's npmrc, say) would land after our summary line.
    env: { TURBO_TELEMETRY_DISABLED: "1", npm_config_loglevel: "error", ...process.env, ...options.env },
  });
  if (options.quiet && result.status !== 0) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  return result.status ?? 1;
}

/**
 * Installs the workspace's dependencies exactly as locked. On failure it exits, unless
 * { exitOnFailure: false }: then it returns whether the install succeeded.
 */
export function install(options = {}) {
  const { exitOnFailure = true, ...pnpmOptions } = options;
  const status = pnpm(["install", "--frozen-lockfile", "--reporter=silent"], pnpmOptions);
  if (status === 0) {
    writeInstallStamp(repoRoot);
    return true;
  }
  process.stderr.write("dependency install failed\n");
  if (exitOnFailure) process.exit(status);
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(pnpm(process.argv.slice(2)));
}

/**
 * Installs only when the install is not current (freshness.mjs), saying why on stderr; same
 * options and result as install().
 */
export function ensureInstalled(options = {}) {
  const state = installState(repoRoot);
  if (state.current) return true;
  process.stderr.write(`${state.reason}: installing\n`);
  return install(options);
}

/**
 * Builds `name` and its workspace dependencies only when one of them is not current or an
 * entry (a path from the repo root) is missing, saying why on stderr.
 */
export function ensureBuilt(name, entries, options = {}) {
  const state = buildState(repoRoot, name, entries);
  if (state.current) return;
  process.stderr.write(`${state.reason}: building\n`);
  build(name, options);
  // Only a file the stamps see and turbo does not (ignored some other way than .gitignore) can
  // leave it stale: say so rather than build again at every call without a word.
  const after = buildState(repoRoot, name, entries);
  if (!after.current) process.stderr.write(`${after.reason} even after the build: is that file ignored outside .gitignore?\n`);
}

/** Builds a workspace package and everything it depends on (turbo caches unchanged ones). */
export function build(filter, options = {}) {
  const status = pnpm(["exec", "turbo", "run", "build", `--filter=${filter}...`, "--output-logs=errors-only"], options);
  if (status !== 0) {
    process.stderr.write("build failed\n");
    process.exit(status);
  }
}

/** Runs a built entry point with Node from the repo root, forwarding signals; exits with its code. */
export function runNode(entry, args = [], options = {}) {
  const child = spawn(process.execPath, [join(repoRoot, entry), ...args], { cwd: process.cwd(), stdio: "inherit", env: process.env, ...options });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * `npm run <name> -- …` for a workspace package's built entry points: installs and builds the
 * package when they are not current (quietly: only the command's own output reaches stdout),
 * then runs `entries[name]`. On an unchanged, built clone that is a few file reads and `node`.
 */
export function runBuiltCommand(filter, entries, [name, ...args]) {
  if (!(name in entries)) {
    process.stderr.write(`unknown command ${name}; one of: ${Object.keys(entries).join(", ")}\n`);
    process.exit(2);
  }
  ensureInstalled({ quiet: true });
  ensureBuilt(filter, [entries[name]], { quiet: true });
  runNode(entries[name], args);
}
