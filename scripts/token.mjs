// npm run token -- --scope <s> …: prints a development token on stdout (everything else goes to stderr).
import { build, install, runNode } from "./pnpm.mjs";

install({ quiet: true });
build("@insights/bff", { quiet: true });
runNode("apps/bff/dist/cli/token.js", process.argv.slice(2));
