// globalSetup of the packages whose tests open PGlite test stores (vitest.shared.ts's
// `pgliteTemplate`): builds the migrated template with the demo data once for the package's run
// and provides its file, which vitest.pglite-clone.ts hands to every test file's process, so
// each test file clones it (~0.7 s) instead of running initdb, the migrations and the demo data
// itself (~3.5 s).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { writePgliteTemplate } from "./packages/store/src/testing.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- declaration merging needs an interface
  export interface ProvidedContext {
    pgliteTemplateFile: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "pglite-template-"));
  const file = join(dir, "template.tar.gz");
  await writePgliteTemplate(file);
  project.provide("pgliteTemplateFile", file);
  return () => rmSync(dir, { recursive: true, force: true });
}
