// Unexpected console output is a bug (logs go through pino): it fails the test that caused it,
// or the file when it happened in a hook outside any test.
import { afterAll, afterEach } from "vitest";

const methods = ["log", "info", "warn", "error", "debug"] as const;
let printed: string[] = [];

for (const method of methods) {
  console[method] = (...args: unknown[]) => {
    printed.push(`console.${method}: ${args.map(String).join(" ")}`);
  };
}

function failOnOutput() {
  if (printed.length === 0) return;
  const lines = printed;
  printed = [];
  throw new Error(`unexpected console output:\n${lines.join("\n")}`);
}

afterEach(failOnOutput);
afterAll(failOnOutput);
