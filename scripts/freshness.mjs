// Whether the install and a package's build are current, decided from files alone in a few
// milliseconds, so `npm run token|admin|import|worker` and `npm start` go straight to
// `node <entry>` when nothing changed instead of asking pnpm and turbo (seconds each).
//
// - The install stamp (node_modules/.insights-install.json) holds a digest of every file a
//   frozen `pnpm install` reads: the lockfile, pnpm-workspace.yaml, .npmrc and each package.json.
//   `install()` in pnpm.mjs writes it after an install succeeds.
// - A build stamp (<package>/dist/.build-inputs.json) holds a digest of each file turbo hashes
//   for the package's `build` task: its files less what .gitignore ignores and the build's own
//   `!` inputs in turbo.json (tests), plus the root's globalDependencies. Not the lockfile: a
//   changed lockfile reinstalls, and the compiled JavaScript does not depend on it. (These are
//   a subset of turbo's own inputs, so a build turbo replays always carries a matching stamp.)
//   build-stamp.mjs writes it around the package's compiler, so turbo caches and replays it
//   with dist/. A package is built when its stamp and those of its workspace dependencies
//   match their files now.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dependencyClosure, workspaceDirs, workspacePackages } from "./workspace.mjs";

const INSTALL_STAMP = join("node_modules", ".insights-install.json");
export const BUILD_STAMP = join("dist", ".build-inputs.json");

/** A glob of .gitignore or turbo.json (`*`, `**`, a trailing `/` for folders) as a test of a relative path. */
function globMatcher(glob) {
  const folderOnly = glob.endsWith("/");
  const body = folderOnly ? glob.slice(0, -1) : glob;
  const anchored = body.includes("/") && !body.startsWith("**/");
  const source = body
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === "**/" ? "(?:.*/)?" : part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const pattern = new RegExp(`^${anchored ? "" : "(?:.*/)?"}${source.replace(/^\//, "")}${folderOnly ? "/" : "(?:/|$)"}`);
  return (path, isFolder) => pattern.test(isFolder ? `${path}/` : path);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** path → digest of each existing file (paths relative to root). */
function digests(root, paths) {
  const result = {};
  for (const path of paths) if (existsSync(join(root, path))) result[path] = sha256(readFileSync(join(root, path)));
  return result;
}

/** The first difference between two path → digest maps, in words, or undefined when they match. */
function firstDifference(was, now) {
  if (!was) return "no stamp";
  for (const [path, digest] of Object.entries(now)) {
    if (!(path in was)) return `${path} is new`;
    if (was[path] !== digest) return `${path} changed`;
  }
  for (const path of Object.keys(was)) if (!(path in now)) return `${path} is gone`;
  return undefined;
}

/** The files a frozen `pnpm install` reads. */
function installInputs(root) {
  const manifests = workspaceDirs(root).map((dir) => join(dir.slice(root.length + 1), "package.json"));
  return digests(root, ["pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", "package.json", ...manifests]);
}

/** { current: true } or { current: false, reason } for the install of the workspace at root. */
export function installState(root) {
  const reason = firstDifference(readJson(join(root, INSTALL_STAMP))?.inputs, installInputs(root));
  return reason ? { current: false, reason: `install: ${reason}` } : { current: true };
}

/** Records that the install at root is current (after `pnpm install` succeeded). */
export function writeInstallStamp(root) {
  writeFileSync(join(root, INSTALL_STAMP), JSON.stringify({ inputs: installInputs(root) }));
}

/** What decides a build's inputs, read once from the root: the global inputs, what .gitignore and the build's `!` inputs leave out. */
function buildInputRules(root) {
  const turbo = readJson(join(root, "turbo.json")) ?? {};
  const ignored = readFileSync(join(root, ".gitignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#") && !line.startsWith("!"))
    .map(globMatcher);
  const excluded = (turbo.tasks?.build?.inputs ?? []).filter((input) => input.startsWith("!")).map((input) => globMatcher(input.slice(1)));
  return { globals: turbo.globalDependencies ?? [], left: [...ignored, ...excluded] };
}

/** The files turbo hashes for a package's `build` task, with their digests (paths relative to root). */
export function buildInputs(root, packageDir, rules = buildInputRules(root)) {
  const files = [];
  const walk = (relativeDir) => {
    for (const entry of readdirSync(join(root, packageDir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const isFolder = entry.isDirectory();
      if (entry.name === ".git" || rules.left.some((test) => test(path, isFolder))) continue;
      if (isFolder) walk(path);
      else if (entry.isFile()) files.push(join(packageDir, path));
    }
  };
  walk("");
  return digests(root, [...rules.globals, ...files.sort()]);
}

/** Records, in the package's dist/, the inputs it was built from (build-stamp.mjs). */
export function writeBuildStamp(root, packageDir, inputs) {
  const path = join(root, packageDir, BUILD_STAMP);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ inputs }));
}

/**
 * { current: true } when the package `name` and each workspace package it depends on were built
 * from the files they have now (and `entries`, paths relative to root, exist); else
 * { current: false, reason }.
 */
export function buildState(root, name, entries = []) {
  const packages = workspacePackages(root);
  const rules = buildInputRules(root);
  for (const member of dependencyClosure(packages, name)) {
    const { dir, manifest } = packages.get(member);
    if (!manifest.scripts?.build) continue;
    const reason = firstDifference(readJson(join(root, dir, BUILD_STAMP))?.inputs, buildInputs(root, dir, rules));
    if (reason) return { current: false, reason: `build of ${member}: ${reason}` };
  }
  const missing = entries.find((entry) => !existsSync(join(root, entry)));
  return missing ? { current: false, reason: `build of ${name}: ${missing} is missing` } : { current: true };
}
