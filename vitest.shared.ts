// The one vitest setup every package uses: workspace packages resolve to their TypeScript
// source, a JSON report and a count of unhandled errors feed the repo-wide summary line, and
// console output fails a test.
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

export function defineProject(overrides: ViteUserConfig["test"] = {}) {
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: [fileURLToPath(new URL("./vitest.setup.ts", import.meta.url))],
      reporters: ["default", "json", unhandledErrorCounter],
      outputFile: { json: ".vitest/report.json" },
      testTimeout: 20_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
