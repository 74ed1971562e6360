// npm run bench: install, build the BFF, then run bench/run.mjs (see bench/README.md).
// npm run bench -- imports [--rows N] [--postgres URL]: build the worker, then run bench/imports.mjs.
// npm run bench -- queries [--postgres URL]: build the store, then run bench/queries.mjs.
// npm run bench -- staleness --postgres URL: build the BFF, then run bench/staleness.mjs.
import { build, install, runNode } from "./pnpm.mjs";

const [first, ...rest] = process.argv.slice(2);
install();
if (first === "imports") {
  build("@insights/worker");
  runNode("bench/imports.mjs", rest, { cwd: new URL("../bench/", import.meta.url).pathname });
} else if (first === "queries") {
  build("@insights/store");
  runNode("bench/queries.mjs", rest, { cwd: new URL("../bench/", import.meta.url).pathname });
} else if (first === "staleness") {
  build("@insights/bff");
  runNode("bench/staleness.mjs", rest, { cwd: new URL("../bench/", import.meta.url).pathname });
} else {
  build("@insights/bff");
  runNode("bench/run.mjs", process.argv.slice(2), { cwd: new URL("../bench/", import.meta.url).pathname });
}
