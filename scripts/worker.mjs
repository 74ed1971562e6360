// npm run import|worker -- …: builds the worker if needed and runs its import CLI or the worker
// process. Only the command's own output reaches stdout (install and build noise goes to stderr).
import { build, install, runNode } from "./pnpm.mjs";

const [name, ...args] = process.argv.slice(2);
const entries = { import: "apps/worker/dist/cli/import.js", worker: "apps/worker/dist/main.js" };
if (!(name in entries)) {
  process.stderr.write(`unknown command ${name}; one of: ${Object.keys(entries).join(", ")}\n`);
  process.exit(2);
}
install({ quiet: true });
build("@insights/worker", { quiet: true });
runNode(entries[name], args);
