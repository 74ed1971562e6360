import { defineProject } from "../../vitest.shared.js";

// Its tests log: the PII canary checks the run's log after them. They run the built entry points.
export default defineProject({}, { piiCanary: true, builtPackages: ["@insights/bff"] });
