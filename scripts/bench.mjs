// npm run bench: install and build the BFF (when not current), then run bench/run.mjs (see bench/README.md).
// npm run bench -- imports [--rows N] [--postgres URL]: build the worker, then run bench/imports.mjs.
// npm run bench -- import-sharing [--rows N] [--postgres URL]: build the BFF and the worker, then run bench/import-sharing.mjs.
// npm run bench -- queries [--postgres URL]: build the store, then run bench/queries.mjs.
// npm run bench -- staleness --postgres URL: build the BFF, then run bench/staleness.mjs.
// npm run bench -- writes [--postgres URL]: build the store, then run bench/writes.mjs.
import { ensureBuilt, ensureInstalled, runNode } from "./pnpm.mjs";

/** Each named bench and the packages it runs; without a name, bench/run.mjs on the BFF. */
const benches = { imports: ["@insights/worker"], "import-sharing": ["@insights/bff", "@insights/worker"], queries: ["@insights/store"], staleness: ["@insights/bff"], writes: ["@insights/store"] };

const [first, ...rest] = process.argv.slice(2);
const named = Object.hasOwn(benches, first ?? "") ? first : undefined;
ensureInstalled();
for (const name of named ? benches[named] : ["@insights/bff"]) ensureBuilt(name, []);
runNode(named ? `bench/${named}.mjs` : "bench/run.mjs", named ? rest : process.argv.slice(2), { cwd: new URL("../bench/", import.meta.url).pathname });
