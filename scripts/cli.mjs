// npm run token|admin -- …: builds the BFF if needed and runs one of its CLIs.
// Only the CLI's own output reaches stdout (install and build noise goes to stderr).
import { runBuiltCommand } from "./pnpm.mjs";

runBuiltCommand("@insights/bff", { token: "apps/bff/dist/cli/token.js", admin: "apps/bff/dist/cli/admin.js" }, process.argv.slice(2));
