import { defineProject } from "../vitest.shared.js";

// commands.test.ts runs `npm run token|admin|import|worker` and `npm start` on the built apps.
export default defineProject({}, { builtPackages: ["@insights/bff", "@insights/worker"] });
