import { defineProject } from "../../vitest.shared.js";

// Its tests log: the PII canary checks the run's log after them. They run the built entry points,
// and most open a PGlite test store (cloned from one template built for the run).
export default defineProject({}, { piiCanary: true, builtPackages: ["@insights/bff"], pgliteTemplate: true });
