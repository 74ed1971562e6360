// The one vitest setup every package uses: workspace packages resolve to their TypeScript
// source, a JSON report feeds the repo-wide summary line, and console output fails a test.
import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

// Vite's default server conditions, with our source condition first.
const sourceConditions = ["@insights/source", "module", "node", "development|production"];

export function defineProject(overrides: ViteUserConfig["test"] = {}) {
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: [fileURLToPath(new URL("./vitest.setup.ts", import.meta.url))],
      reporters: ["default", "json"],
      outputFile: { json: ".vitest/report.json" },
      testTimeout: 20_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
