import { defineProject } from "../../vitest.shared.js";

// Its tests log: the PII canary checks the run's log after them.
export default defineProject({}, { piiCanary: true });
