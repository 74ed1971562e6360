// The workspace as the repository's own commands see it, read from its files alone (no pnpm,
// no git): the package folders pnpm-workspace.yaml names, each package's name and the workspace
// packages it depends on.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The workspace's package folders, from pnpm-workspace.yaml's `packages:` globs (`dir/*` or `dir`). */
export function workspaceDirs(root) {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const globs = [...yaml.split(/^catalog:/m)[0].matchAll(/^\s+-\s+["']?([^"'\s]+)["']?\s*$/gm)].map((m) => m[1]);
  return globs
    .flatMap((glob) =>
      glob.endsWith("/*")
        ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => join(root, glob.slice(0, -2), entry.name))
        : [join(root, glob)],
    )
    .filter((dir) => existsSync(join(dir, "package.json")));
}

/** name → { dir (relative to root), manifest, workspaceDependencies } for every workspace package. */
export function workspacePackages(root) {
  const packages = new Map();
  for (const dir of workspaceDirs(root)) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const all = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies };
    const workspaceDependencies = Object.entries(all)
      .filter(([, version]) => String(version).startsWith("workspace:"))
      .map(([name]) => name);
    packages.set(manifest.name, { dir: relative(root, dir), manifest, workspaceDependencies });
  }
  return packages;
}

/** A package and every workspace package it depends on, directly or not (names, the package first). */
export function dependencyClosure(packages, name) {
  const seen = [];
  const visit = (current) => {
    if (seen.includes(current)) return;
    const pkg = packages.get(current);
    if (!pkg) throw new Error(`no workspace package ${current}`);
    seen.push(current);
    for (const dependency of pkg.workspaceDependencies) visit(dependency);
  };
  visit(name);
  return seen;
}
