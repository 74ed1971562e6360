import { isAppRoute, type AppRoute, type AppRouter } from "@ts-rest/core";
import { describe, expect, it } from "vitest";
import { apiContract, familyOfPath, policyOf } from "../src/index.js";

function routes(router: AppRouter | AppRoute, name = ""): [string, AppRoute][] {
  if (isAppRoute(router)) return [[name, router]];
  return Object.entries(router).flatMap(([key, value]) => routes(value as AppRouter | AppRoute, name ? `${name}.${key}` : key));
}

describe("api contract", () => {
  it.each(routes(apiContract))("%s declares who may call it", (_name, route) => {
    expect(policyOf(route.metadata)).toBeDefined();
  });
});

describe("familyOfPath", () => {
  it.each([
    ["/camara/customerinsights/scoring/retrieve", "camara"],
    ["/customer-insights/v0.2/scoring/retrieve", "camara"],
    ["/v1/customers/segments/retrieve", "citibanamex"],
    ["/api/v1/customers/segments/retrieve", "citibanamex"],
    ["/v1/x-global/security/e2e-gateway/public-key/retrieve", "citibanamex"],
    ["/v4/orgs/telco/customers", "masstack"],
    ["/resources/v1/customerprofile/4545", "imiconnect"],
    ["/healthz", "problem"],
    ["/mobile/v1/customers/5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001/overview", "problem"],
    ["/nowhere", "problem"],
  ])("puts %s under %s", (path, family) => {
    expect(familyOfPath(path)).toBe(family);
  });
});
