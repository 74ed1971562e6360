// Setup file of the packages whose tests open PGlite test stores (vitest.shared.ts's
// `pgliteTemplate`): their stores are cloned from the template vitest.pglite-template.ts built
// for the run.
import { inject } from "vitest";
import { usePgliteTemplateFile } from "./packages/store/src/testing.js";

usePgliteTemplateFile(inject("pgliteTemplateFile"));
