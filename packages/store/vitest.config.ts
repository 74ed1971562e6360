import { defineProject } from "../../vitest.shared.js";

// Its tests open PGlite test stores (cloned from one template built for the run).
export default defineProject({}, { pgliteTemplate: true });
