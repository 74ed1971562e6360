// Unexpected console output is a bug (logs go through pino); make it fail the test that caused it.
import { afterEach, beforeEach } from "vitest";

const methods = ["log", "info", "warn", "error", "debug"] as const;
let printed: string[] = [];
const originals = Object.fromEntries(methods.map((m) => [m, console[m]]));

beforeEach(() => {
  printed = [];
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      printed.push(`console.${method}: ${args.map(String).join(" ")}`);
    };
  }
});

afterEach(() => {
  for (const method of methods) console[method] = originals[method]!;
  if (printed.length > 0) throw new Error(`unexpected console output:\n${printed.join("\n")}`);
});
