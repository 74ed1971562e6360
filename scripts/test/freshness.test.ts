import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildInputs, buildState, installState, writeBuildStamp, writeInstallStamp } from "../freshness.mjs";

const buildStampScript = fileURLToPath(new URL("../build-stamp.mjs", import.meta.url));

/**
 * A small workspace on disk, shaped like ours: app `@w/app` depends on library `@w/lib`; both
 * build. Real files, real digests: only the compiler is left out (build-stamp.mjs runs any command).
 */
function makeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), "freshness-"));
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "w", private: true }),
    "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n\ncatalog:\n  zod: 1.0.0\n",
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    ".npmrc": "engine-strict=true\n",
    ".gitignore": "node_modules/\ndist/\n.data/\n*.tsbuildinfo\n",
    "tsconfig.base.json": "{}",
    "turbo.json": JSON.stringify({ globalDependencies: ["tsconfig.base.json"], tasks: { build: { inputs: ["$TURBO_DEFAULT$", "!**/*.test.ts", "!test/**"] } } }),
    "packages/lib/package.json": JSON.stringify({ name: "@w/lib", scripts: { build: "tsc" } }),
    "packages/lib/src/index.ts": "export const lib = 1;\n",
    "packages/lib/src/index.test.ts": "// a test beside the source\n",
    "apps/app/package.json": JSON.stringify({ name: "@w/app", scripts: { build: "tsc" }, dependencies: { "@w/lib": "workspace:*", zod: "catalog:" } }),
    "apps/app/src/main.ts": "export const app = 1;\n",
    "apps/app/test/main.test.ts": "// a test\n",
    "apps/app/dist/main.js": "export const app = 1;\n",
    "apps/app/node_modules/.keep": "",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("the install stamp", () => {
  let root: string;
  beforeEach(() => {
    root = makeWorkspace();
    mkdirSync(join(root, "node_modules"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is missing until an install writes it, then current until a file pnpm reads changes", () => {
    expect(installState(root)).toEqual({ current: false, reason: "install: no stamp" });
    writeInstallStamp(root);
    expect(installState(root)).toEqual({ current: true });

    appendFileSync(join(root, "pnpm-lock.yaml"), "# another resolution\n");
    expect(installState(root)).toEqual({ current: false, reason: "install: pnpm-lock.yaml changed" });
    writeInstallStamp(root);
    writeFileSync(join(root, "apps/app/package.json"), JSON.stringify({ name: "@w/app", dependencies: { zod: "2.0.0" } }));
    expect(installState(root)).toEqual({ current: false, reason: "install: apps/app/package.json changed" });
    writeInstallStamp(root);
    appendFileSync(join(root, ".npmrc"), "save-exact=true\n");
    expect(installState(root).reason).toBe("install: .npmrc changed");
  });

  it("is not disturbed by source files, and is gone with node_modules", () => {
    writeInstallStamp(root);
    appendFileSync(join(root, "apps/app/src/main.ts"), "// edit\n");
    expect(installState(root)).toEqual({ current: true });
    rmSync(join(root, "node_modules"), { recursive: true });
    expect(installState(root)).toEqual({ current: false, reason: "install: no stamp" });
  });
});

describe("build stamps", () => {
  let root: string;
  const stampBoth = () => {
    for (const dir of ["packages/lib", "apps/app"]) writeBuildStamp(root, dir, buildInputs(root, dir));
  };
  beforeEach(() => {
    root = makeWorkspace();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("hash what turbo hashes for build: the package's files less ignored ones and tests, and the global inputs", () => {
    expect(Object.keys(buildInputs(root, "apps/app")).sort()).toEqual(["apps/app/package.json", "apps/app/src/main.ts", "tsconfig.base.json"]);
    expect(Object.keys(buildInputs(root, "packages/lib"))).not.toContain("packages/lib/src/index.test.ts");
  });

  it("are current when the package and each workspace package it depends on match their stamps", () => {
    expect(buildState(root, "@w/app")).toEqual({ current: false, reason: "build of @w/app: no stamp" });
    stampBoth();
    expect(buildState(root, "@w/app", ["apps/app/dist/main.js"])).toEqual({ current: true });
  });

  it.each([
    ["a source file of the package changes", "apps/app/src/main.ts", "build of @w/app: apps/app/src/main.ts changed"],
    ["a source file of a dependency changes", "packages/lib/src/index.ts", "build of @w/lib: packages/lib/src/index.ts changed"],
    ["a global input changes", "tsconfig.base.json", "build of @w/app: tsconfig.base.json changed"],
  ])("are stale when %s", (_case, path, reason) => {
    stampBoth();
    appendFileSync(join(root, path), "\n");
    expect(buildState(root, "@w/app")).toEqual({ current: false, reason });
  });

  it("are stale when a file is added or removed, or an entry point is missing", () => {
    stampBoth();
    writeFileSync(join(root, "apps/app/src/extra.ts"), "export {};\n");
    expect(buildState(root, "@w/app").reason).toBe("build of @w/app: apps/app/src/extra.ts is new");
    stampBoth();
    unlinkSync(join(root, "apps/app/src/extra.ts"));
    expect(buildState(root, "@w/app").reason).toBe("build of @w/app: apps/app/src/extra.ts is gone");
    stampBoth();
    expect(buildState(root, "@w/app", ["apps/app/dist/cli.js"])).toEqual({ current: false, reason: "build of @w/app: apps/app/dist/cli.js is missing" });
  });

  it("stay current when tests, outputs, ignored files or the lockfile change (the lockfile reinstalls)", () => {
    stampBoth();
    appendFileSync(join(root, "pnpm-lock.yaml"), "# another resolution\n");
    appendFileSync(join(root, "apps/app/test/main.test.ts"), "// edit\n");
    appendFileSync(join(root, "packages/lib/src/index.test.ts"), "// edit\n");
    writeFileSync(join(root, "apps/app/dist/other.js"), "");
    writeFileSync(join(root, "apps/app/node_modules/x.js"), "");
    mkdirSync(join(root, "apps/app/.data"));
    writeFileSync(join(root, "apps/app/.data/PG_VERSION"), "17");
    writeFileSync(join(root, "apps/app/tsconfig.tsbuildinfo"), "{}");
    expect(buildState(root, "@w/app")).toEqual({ current: true });
  });

  it("are written by build-stamp.mjs around a command that succeeds, and never after one that fails", () => {
    const runIn = (dir: string, command: string[]) => spawnSync(process.execPath, [buildStampScript, ...command], { cwd: join(root, dir), encoding: "utf8" });
    expect(runIn("packages/lib", [process.execPath, "-e", "process.exit(3)"]).status).toBe(3);
    expect(buildState(root, "@w/lib").reason).toBe("build of @w/lib: no stamp");
    expect(runIn("packages/lib", [process.execPath, "-e", "0"]).status).toBe(0);
    expect(runIn("apps/app", [process.execPath, "-e", "0"]).status).toBe(0);
    expect(buildState(root, "@w/app")).toEqual({ current: true });
  });

  it("record the inputs as they were when the build started: a file saved during the build leaves it stale", () => {
    const save = `require("node:fs").appendFileSync(${JSON.stringify(join(root, "apps/app/src/main.ts"))}, "// saved meanwhile\\n")`;
    const result = spawnSync(process.execPath, [buildStampScript, process.execPath, "-e", save], { cwd: join(root, "apps/app") });
    expect(result.status).toBe(0);
    writeBuildStamp(root, "packages/lib", buildInputs(root, "packages/lib"));
    expect(buildState(root, "@w/app").reason).toBe("build of @w/app: apps/app/src/main.ts changed");
  });
});
