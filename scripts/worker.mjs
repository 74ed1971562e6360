// npm run import|worker -- …: builds the worker if needed and runs its import CLI or the worker
// process. Only the command's own output reaches stdout (install and build noise goes to stderr).
import { runBuiltCommand } from "./pnpm.mjs";

runBuiltCommand("@insights/worker", { import: "apps/worker/dist/cli/import.js", worker: "apps/worker/dist/main.js" }, process.argv.slice(2));
