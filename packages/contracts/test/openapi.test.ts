import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/openapi.js";

describe("OpenAPI document", () => {
  const document = buildOpenApiDocument("test") as {
    openapi: string;
    paths: Record<string, Record<string, { security: unknown; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>>;
  };

  it("has every family's paths", () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/camara/customerinsights/scoring/retrieve",
        "/customer-insights/v0.2/scoring/retrieve",
        "/v1/customers/segments/retrieve",
        "/api/v1/customers/segments/retrieve",
        "/v1/x-global/security/e2e-gateway/public-key/retrieve",
        "/v4/orgs/{org_id}/customers/{customer_id}/categories",
        "/v4/orgs/{org_id}/customers/{customer_id}/categories/{category_id}",
        "/v4/orgs/{org_id}/customers/{customer_id}/categories/historical",
        "/v4/orgs/{org_id}/categories",
        "/resources/v1/customerprofile/{customerid}",
        "/resources/v1/customerprofile",
        "/healthz",
        "/readyz",
      ]),
    );
  });

  it("documents the category bodies the vendor leaves out (snake_case, RFC 3339)", () => {
    const one = document.paths["/v4/orgs/{org_id}/customers/{customer_id}/categories/{category_id}"]!.get!.responses["200"]!;
    expect(Object.keys(one.content!["application/json"]!.schema.properties!)).toEqual(["id", "name", "value", "description", "reason", "created_at", "updated_at"]);
    const history = document.paths["/v4/orgs/{org_id}/customers/{customer_id}/categories/historical"]!.get!.responses["200"]!;
    expect(JSON.stringify(history)).toContain("changed_by");
    expect(JSON.stringify(history)).toContain("date-time");
  });

  it("states who may call each route", () => {
    expect(document.paths["/camara/customerinsights/scoring/retrieve"]!.post!.security).toEqual([{ bearerToken: ["customer-insights:scoring:read"] }]);
    expect(document.paths["/resources/v1/customerprofile"]!.get!.security).toEqual([{ profileKey: [] }, { profileSecretKey: [] }]);
    expect(document.paths["/healthz"]!.get!.security).toEqual([]);
  });

  it("documents the ETag of routes that answer 304", () => {
    const overview = document.paths["/mobile/v1/customers/{customerId}/overview"]!.get!.responses as Record<string, { headers?: Record<string, unknown> }>;
    expect(Object.keys(overview["200"]!.headers!)).toEqual(["ETag", "Cache-Control"]);
    expect(Object.keys(overview["304"]!.headers!)).toEqual(["ETag"]);
    expect((document.paths["/healthz"]!.get!.responses as Record<string, { headers?: unknown }>)["200"]!.headers).toBeUndefined();
  });

  it("documents each family's error body", () => {
    const camara = document.paths["/camara/customerinsights/scoring/retrieve"]!.post!.responses["422"]!;
    expect(Object.keys(camara.content!["application/json"]!.schema.properties!).sort()).toEqual(["code", "message", "status"]);
  });
});
