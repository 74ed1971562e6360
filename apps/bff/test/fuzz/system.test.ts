import fc from "fast-check";
import { fuzzFamily } from "./fuzz-family.js";

// Public routes: no credentials needed; an Authorization header changes nothing.
fuzzFamily("system", {
  prepare: async () => ({
    options: () => ({ hints: new Map(), credentials: fc.constantFrom<[string, string][]>([], [["authorization", "Bearer constructor"]]) }),
    watchedTables: ["customers:count", "customer_categories", "e2e_sessions:count", "import_jobs:count"],
  }),
});
