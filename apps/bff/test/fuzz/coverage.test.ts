import { existsSync, readFileSync } from "node:fs";
import { apiContract } from "@insights/contracts";
import { describe, expect, it } from "vitest";
import { contractRoutes } from "./checks.js";

describe("fuzz coverage", () => {
  it("fuzzes every router of the contract the app mounts, so every route", () => {
    const keys = [...new Set(contractRoutes().map((r) => r.name.split(".")[0]))];
    expect(keys.sort()).toEqual(Object.keys(apiContract).sort());
    const uncovered = keys.filter((key) => {
      const file = new URL(`./${key}.test.ts`, import.meta.url);
      return !existsSync(file) || !readFileSync(file, "utf8").includes(`fuzzFamily("${key}"`);
    });
    expect(uncovered, "routers without a fuzz file calling fuzzFamily").toEqual([]);
  });
});
