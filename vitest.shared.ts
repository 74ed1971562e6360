// The one vitest setup every package uses: workspace packages resolve to their TypeScript
// source, a JSON report and a count of unhandled errors feed the repo-wide summary line,
// console output fails a test, and the run's log starts empty (vitest.run-log.ts). A package
// whose tests log asks for the PII canary (vitest.pii-canary.ts), which then runs after all of
// its other tests.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Reporter } from "vitest/reporters";
import { defineConfig, type ViteUserConfig } from "vitest/config";

// Vite's default server conditions, with our source condition first.
const sourceConditions = ["@insights/source", "module", "node", "development|production"];

/**
 * vitest's JSON report says nothing of errors raised outside any test (an unhandled rejection
 * after a test ended fails the run, yet the report shows every test passed): this reporter
 * writes their count beside it, for scripts/test-summary.mjs.
 */
const unhandledErrorCounter: Reporter = {
  onTestRunEnd(_modules, unhandledErrors) {
    mkdirSync(".vitest", { recursive: true });
    writeFileSync(join(".vitest", "unhandled-errors.json"), JSON.stringify({ count: unhandledErrors.length }));
  },
};

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export type ProjectOptions = {
  /**
   * Run vitest.pii-canary.ts after every other test file, in the same run: the tests are one
   * project, the canary a second one in a later group (`sequence.groupOrder`).
   */
  piiCanary?: boolean;
  /**
   * Workspace packages whose built entry points (dist/) the tests run as processes: they are
   * built first when not current (vitest.built-entries.ts).
   */
  builtPackages?: string[];
  /**
   * The tests open PGlite test stores (`@insights/store/testing`): one migrated template is
   * built for the whole run and each test file clones it (vitest.pglite-template.ts).
   */
  pgliteTemplate?: boolean;
};

export function defineProject(overrides: ViteUserConfig["test"] = {}, options: ProjectOptions = {}) {
  const shared = { setupFiles: [here("./vitest.setup.ts")], testTimeout: 20_000, hookTimeout: 60_000 };
  const globalSetup = [
    here("./vitest.run-log.ts"),
    ...(options.builtPackages?.length ? [here("./vitest.built-entries.ts")] : []),
    ...(options.pgliteTemplate ? [here("./vitest.pglite-template.ts")] : []),
  ];
  // Setup files of the tests alone (the PII canary's project has the shared ones only).
  const testSetupFiles = options.pgliteTemplate ? [here("./vitest.pglite-clone.ts")] : [];
  const builtEntries = options.builtPackages?.length ? { provide: { builtPackages: options.builtPackages } } : {};
  const tests = { include: ["test/**/*.test.ts"], globalSetup, ...builtEntries, ...overrides };
  const report = { reporters: ["default", "json", unhandledErrorCounter], outputFile: { json: ".vitest/report.json" } } satisfies ViteUserConfig["test"];
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: options.piiCanary
      ? {
          ...report,
          ...shared,
          projects: [
            // extends: true appends these setup files to the shared ones.
            { extends: true, test: { name: "tests", ...tests, setupFiles: testSetupFiles, sequence: { groupOrder: 0 } } },
            { extends: true, test: { name: "pii-canary", dir: here("."), include: ["vitest.pii-canary.ts"], sequence: { groupOrder: 1 } } },
          ],
        }
      : { ...report, ...shared, ...tests, setupFiles: [...shared.setupFiles, ...testSetupFiles] },
  });
}
