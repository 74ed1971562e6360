// globalSetup of every package's tests: the run's log (.vitest/run.log) and its list of minted
// secrets start empty, so the PII canary judges this run only (packages/config/src/testing.ts).
import { startRunLog } from "./packages/config/src/testing.js";

export default function setup(): void {
  startRunLog();
}
