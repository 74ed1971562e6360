import { apiContract, policyOf } from "@insights/contracts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { isAppRoute, isAppRouteNoBody, isAppRouteOtherResponse, isZodType, type AppRoute, type AppRouter } from "@ts-rest/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

type MediaType = { schema?: unknown; example?: unknown };
type Operation = {
  operationId: string;
  security: Record<string, string[]>[];
  parameters: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

function routes(router: AppRouter | AppRoute, name = ""): [string, AppRoute][] {
  if (isAppRoute(router)) return [[name, router]];
  return Object.entries(router).flatMap(([key, value]) => routes(value as AppRouter | AppRoute, name ? `${name}.${key}` : key));
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

describe("GET /openapi.json", () => {
  let app: TestApp;
  let document: Document;
  beforeAll(async () => {
    app = await startTestApp();
    document = (await send(`${app.url}/openapi.json`)).json as unknown as Document;
  });
  afterAll(() => app.close());

  it("is a valid OpenAPI document (checked by an OpenAPI schema validator)", async () => {
    const result = await new Validator().validate(structuredClone(document) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  const all = routes(apiContract);

  it.each(all)("documents %s with its security, every response status and an example", (_name, route) => {
    const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
    expect(operation, `${route.method} ${route.path}`).toBeDefined();
    if (!operation) return;
    expect(Object.keys(operation.responses).sort()).toEqual(Object.keys(route.responses).sort());

    const policy = policyOf(route.metadata)!;
    if (policy.auth.scheme === "public") expect(operation.security).toEqual([]);
    else {
      expect(operation.security.length).toBeGreaterThan(0);
      for (const requirement of operation.security) for (const scheme of Object.keys(requirement)) expect(document.components.securitySchemes).toHaveProperty(scheme);
    }

    // Every JSON body, sent or answered, has an example, and the example satisfies the route's own schema.
    const requestMedia = operation.requestBody?.content["application/json"];
    if (requestMedia) {
      expect(requestMedia.example, "request example").toBeDefined();
      const body = (route as { body?: unknown }).body;
      if (isZodType(body)) expect(body.safeParse(requestMedia.example).error).toBeUndefined();
    }
    const [status, response] = Object.entries(route.responses).find(([s]) => Number(s) < 300)!;
    const responseMedia = operation.responses[status]?.content?.["application/json"];
    if (isAppRouteNoBody(response) || isAppRouteOtherResponse(response)) return;
    expect(responseMedia?.example, `${status} example`).toBeDefined();
    if (isZodType(response)) expect(response.safeParse(responseMedia!.example).error).toBeUndefined();
  });

  it("has no operation that is not a contract route", () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(all.map(([, r]) => `${r.method} ${openApiPath(r.path)}`).sort());
  });

  it("states which tokens may call the mobile API", () => {
    expect(document.paths["/mobile/v1/me"]!.get!.security).toEqual([{ bearerToken: ["customers:read"] }]);
    expect(document.paths["/mobile/v1/customers/{customerId}/overview"]!.get!.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "customerId", in: "path", required: true }), expect.objectContaining({ name: "include", in: "query" })]),
    );
  });
});
