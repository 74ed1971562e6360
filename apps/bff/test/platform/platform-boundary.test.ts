import { readdirSync, readFileSync } from "node:fs";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const repoRoot = new URL("../../../../", import.meta.url).pathname;

/**
 * The platform (http, auth, upstream, metrics) and the mobile API over it are handed the vendor
 * families and never import one: eslint.config.js says so (`no-restricted-imports`), and `lint`
 * runs on every change. This proves the rule is in force where it must be.
 */
describe("the platform boundary", () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const importing = (path: string) => `import { families } from "${path}";\nexport const listed = families;\n`;

  it.each([
    ["apps/bff/src/platform/http/probe.ts", "../../families/index.js"],
    ["apps/bff/src/platform/upstream/probe.ts", "../../families/scoring/upstream.js"],
    ["apps/bff/src/platform/auth/probe.ts", "../../families/profiles/dialect.js"],
    ["apps/bff/src/mobile/probe.ts", "../families/index.js"],
  ])("refuses, in %s, an import of %s", async (filePath, path) => {
    const [result] = await eslint.lintText(importing(path), { filePath: `${repoRoot}${filePath}` });
    expect(result?.messages.map((message) => message.ruleId)).toEqual(["no-restricted-imports"]);
  });

  it("leaves the platform free of any vendor's name or header", () => {
    const platform = new URL("../../src/platform/", import.meta.url);
    const files = readdirSync(platform, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(30);
    const named = files.filter((file) => /camara|citibanamex|masstack|imiconnect|x-correlator|transid|x-auth-roles/i.test(readFileSync(new URL(file, platform), "utf8")));
    expect(named).toEqual([]);
  });

  it("lets the app and the families import the family list", async () => {
    const [result] = await eslint.lintText(importing("./families/index.js"), { filePath: `${repoRoot}apps/bff/src/app.ts` });
    expect(result?.messages).toEqual([]);
  });
});
