// npm start: install what is locked and build the BFF when either is not current, then run it
// with the embedded store and demo data.
import { ensureBuilt, ensureInstalled, runNode } from "./pnpm.mjs";

const entry = "apps/bff/dist/main.js";
ensureInstalled();
ensureBuilt("@insights/bff", [entry]);
runNode(entry);
