// npm run bench: install, build the BFF, then run bench/run.mjs (see bench/README.md).
import { build, install, runNode } from "./pnpm.mjs";

install();
build("@insights/bff");
runNode("bench/run.mjs", process.argv.slice(2), { cwd: new URL("../bench/", import.meta.url).pathname });
