import { defineProject } from "../../vitest.shared.js";

// Its tests log: the PII canary checks the run's log after them. They open PGlite test stores
// (cloned from one template built for the run).
export default defineProject({}, { piiCanary: true, pgliteTemplate: true });
