import { generateOpenApi } from "@ts-rest/open-api";
import { isAppRoute, type AppRoute, type AppRouter } from "@ts-rest/core";
import { apiContract } from "./index.js";
import { operationExamples } from "./openapi-examples.js";
import { policyOf } from "./policy.js";

export type OpenApiDocument = ReturnType<typeof generateOpenApi>;

/** Every route's policy, as OpenAPI security requirements. */
function securityOf(route: AppRoute): Record<string, string[]>[] {
  const policy = policyOf(route.metadata);
  switch (policy?.auth.scheme) {
    case "bearer":
      return [{ bearerToken: [...policy.auth.scopes] }];
    case "apiKey":
      return [{ profileKey: [] }, { profileSecretKey: [] }];
    default:
      return [];
  }
}

type MediaTypes = Record<string, { example?: unknown }>;
type Operation = {
  operationId?: string;
  requestBody?: { content?: MediaTypes };
  responses?: Record<string, { content?: MediaTypes; headers?: Record<string, unknown> }>;
};

const etagHeader = { description: "A weak entity tag of the representation: send it back in If-None-Match to revalidate.", schema: { type: "string" } };

/** A route that can answer 304 is revalidated by ETag: its 200 and 304 say so. */
function withConditionalHeaders<T>(generated: T): T {
  const responses = (generated as Operation).responses;
  if (!responses?.["304"] || !responses["200"]) return generated;
  responses["200"].headers = {
    ETag: etagHeader,
    "Cache-Control": { description: "`private, no-cache`: the client may keep the answer but must revalidate it before use.", schema: { type: "string" } },
  };
  responses["304"].headers = { ETag: etagHeader };
  return generated;
}

/** The operation's worked example (openapi-examples.ts) on its JSON request body and success response. */
function withExample<T>(generated: T): T {
  const operation = generated as Operation;
  const example = operation.operationId === undefined ? undefined : operationExamples[operation.operationId];
  if (!example) return generated;
  const requestMedia = operation.requestBody?.content?.["application/json"];
  if (requestMedia && example.request !== undefined) requestMedia.example = example.request;
  const responseMedia = example.response ? operation.responses?.[String(example.response.status)]?.content?.["application/json"] : undefined;
  if (responseMedia && example.response?.body !== undefined) responseMedia.example = example.response.body;
  return generated;
}

function countRoutes(router: AppRouter | AppRoute): number {
  return isAppRoute(router) ? 1 : Object.values(router).reduce<number>((n, child) => n + countRoutes(child as AppRouter | AppRoute), 0);
}

/** The OpenAPI document of every route the BFF serves, generated from the contracts (never written by hand). */
export function buildOpenApiDocument(version: string): OpenApiDocument {
  const document = generateOpenApi(
    apiContract,
    {
      info: {
        title: "Insights BFF",
        version,
        description:
          "Four vendor APIs served wire-compatibly (CAMARA Customer Insights scoring, Citibanamex segments, MasStack customer categories, IMIconnect customer profiles), the mobile API (/mobile/v1: one customer's overview in one round trip) and the BFF's own routes. Each vendor family answers errors in its own format; the mobile API and the BFF's own routes in RFC 9457 problem details. Authorize with a bearer token from `npm run token`.",
      },
      components: {
        securitySchemes: {
          bearerToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Scopes in the `scope` claim; organisation in `org`; 3-legged tokens carry `phone_number`." },
          profileKey: { type: "apiKey", in: "header", name: "key", description: "IMIconnect client profile key." },
          profileSecretKey: { type: "apiKey", in: "header", name: "secretKey", description: "The same key, under the other documented header name." },
        },
      },
    },
    { setOperationId: true, operationMapper: (operation, route) => withConditionalHeaders(withExample({ ...operation, security: securityOf(route) })) },
  );
  const operations = Object.values(document.paths).reduce<number>((n, item) => n + Object.keys(item as object).length, 0);
  if (operations !== countRoutes(apiContract)) throw new Error("the OpenAPI document lost a route");
  return document;
}
