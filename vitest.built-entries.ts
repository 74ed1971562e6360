// globalSetup of the packages whose tests run built entry points as processes (the BFF's and the
// worker's dist/…, as `npm start` and `npm run admin|import|worker` do): under `npm test` turbo has
// built them already (their test task depends on the builds), so this only checks; a direct
// vitest run after a source change builds them first instead of testing an old dist/.
import type { TestProject } from "vitest/node";
import { buildState } from "./scripts/freshness.mjs";
import { build, repoRoot } from "./scripts/pnpm.mjs";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- declaration merging needs an interface
  export interface ProvidedContext {
    builtPackages: string[];
  }
}

export default function setup(project: TestProject): void {
  for (const name of project.getProvidedContext().builtPackages ?? []) {
    const state = buildState(repoRoot, name);
    if (state.current) continue;
    process.stderr.write(`${state.reason}: building before the tests run its entry points\n`);
    build(name, { quiet: true });
  }
}
