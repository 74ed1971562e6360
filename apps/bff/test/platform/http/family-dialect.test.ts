import { families, problemCodec } from "@insights/errors";
import { describe, expect, it } from "vitest";
import { appDialects } from "../../../src/app.js";
import { familyDialects, type FamilyDialect } from "../../../src/platform/http/family-dialect.js";

/** The family dialects themselves; what each one changes on the wire is proven by its family's suite. */
describe("family dialects", () => {
  it("gives every family exactly one dialect", () => {
    const dialects = appDialects({ profilesErrorHttpStatus: "vendor" });
    expect(families.map((family) => dialects.of(family).family)).toEqual([...families]);
  });

  it("refuses, at start, a family without a dialect or with two", () => {
    const problem: FamilyDialect = { family: "problem", codec: problemCodec, errorContext: () => ({}) };
    expect(() => familyDialects([problem])).toThrow(/no dialect for the families camara, citibanamex, masstack, imiconnect/);
    expect(() => familyDialects([problem, problem])).toThrow(/two dialects for the family problem/);
  });

});
