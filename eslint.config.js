// One lint config for every package. Type-aware rules are left out on purpose:
// `typecheck` already runs tsc strict, and lint stays fast enough to run on every test.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/.data/**", "**/.vitest/**", "**/test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    // Only the config module of each app reads the environment.
    files: ["apps/*/src/**/*.ts", "packages/*/src/**/*.ts"],
    ignores: ["**/config.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through the app's config module." }],
    },
  },
  {
    // The BFF's platform (and the mobile API over it) is handed the vendor families; it never imports
    // one (docs/architecture.md): apps/bff/src/families/index.ts lists them, and app.ts hands them over.
    files: ["apps/bff/src/platform/**/*.ts", "apps/bff/src/mobile/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "(^|/)families(/|$)", message: "The platform never imports a vendor family: it loops over the families app.ts hands it." }] },
      ],
    },
  },
  {
    // Plain Node.js scripts (the TypeScript packages get Node's types from @types/node).
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/src/cli/**/*.ts", "scripts/**", "bench/**"],
    rules: { "no-console": "off" },
  },
);
