import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";

/**
 * The official CAMARA Customer Insights v0.2.0 OpenAPI document (shared/reference beside the
 * repository, or CAMARA_OPENAPI_PATH), used to validate every response the scoring tests see.
 */
const specPath =
  process.env.CAMARA_OPENAPI_PATH ?? fileURLToPath(new URL("../../../../shared/reference/camara/customer-insights-v0.2.0.yaml", import.meta.url));

const spec = parse(readFileSync(specPath, "utf8")) as {
  paths: Record<string, { post: { responses: Record<string, unknown> } }>;
};
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
ajv.addSchema(spec as object, "camara");

const documentedStatuses = Object.keys(spec.paths["/scoring/retrieve"]!.post.responses).map(Number);

/** Schema errors of a scoring response against the official document; empty when it conforms. */
export function camaraResponseErrors(status: number, body: unknown): string[] {
  if (!documentedStatuses.includes(status)) return [`status ${status} is not documented for /scoring/retrieve`];
  const ref = status === 200 ? "camara#/components/schemas/ScoringResponse" : `camara#/components/responses/Generic${status}/content/application~1json/schema`;
  const validate = ajv.getSchema(ref);
  if (!validate) return [`no schema at ${ref}`];
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
