// npm run token|admin -- …: builds the BFF if needed and runs one of its CLIs.
// Only the CLI's own output reaches stdout (install and build noise goes to stderr).
import { build, install, runNode } from "./pnpm.mjs";

const [name, ...args] = process.argv.slice(2);
const clis = { token: "apps/bff/dist/cli/token.js", admin: "apps/bff/dist/cli/admin.js" };
if (!(name in clis)) {
  process.stderr.write(`unknown command ${name}; one of: ${Object.keys(clis).join(", ")}\n`);
  process.exit(2);
}
install({ quiet: true });
build("@insights/bff", { quiet: true });
runNode(clis[name], args);
