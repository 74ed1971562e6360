// npm start: install what is locked, build the BFF, and run it with the embedded store and demo data.
import { build, install, runNode } from "./pnpm.mjs";

install();
build("@insights/bff");
runNode("apps/bff/dist/main.js");
