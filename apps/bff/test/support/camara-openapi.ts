import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { reportSkip } from "@insights/store/testing";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * CAMARA's official Customer Insights v0.2.0 OpenAPI document, which every scoring answer the
 * tests see must conform to. It is not part of this repository: it is read from
 * CAMARA_OPENAPI_PATH, else from shared/reference beside the clone. Where neither exists the
 * conformance checks (and only they) are skipped, with the reason.
 */
const besideTheClone = fileURLToPath(new URL("../../../../../shared/reference/camara/customer-insights-v0.2.0.yaml", import.meta.url));
const configuredPath = process.env.CAMARA_OPENAPI_PATH;
if (configuredPath !== undefined && !existsSync(configuredPath)) {
  throw new Error(`CAMARA_OPENAPI_PATH names ${configuredPath}, which does not exist`);
}
const specPath = configuredPath ?? (existsSync(besideTheClone) ? besideTheClone : undefined);

export const officialDocumentSkipReason =
  "CAMARA's official OpenAPI document was not found (set CAMARA_OPENAPI_PATH, or put shared/reference/camara/customer-insights-v0.2.0.yaml beside the clone)";

type Spec = { paths: Record<string, { post: { responses: Record<string, unknown> } }> };

function loadValidator(path: string) {
  const spec = parse(readFileSync(path, "utf8")) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajv.addSchema(spec as object, "camara");
  const documentedStatuses = Object.keys(spec.paths["/scoring/retrieve"]!.post.responses).map(Number);
  /** Schema errors of a scoring answer against the official document; empty when it conforms. */
  return (status: number, body: unknown): string[] => {
    if (!documentedStatuses.includes(status)) return [`status ${status} is not documented for /scoring/retrieve`];
    const ref = status === 200 ? "camara#/components/schemas/ScoringResponse" : `camara#/components/responses/Generic${status}/content/application~1json/schema`;
    const validate = ajv.getSchema(ref);
    if (!validate) return [`no schema at ${ref}`];
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

const validateAnswer = specPath === undefined ? undefined : loadValidator(specPath);

type Answer = { test: string; status: number; body: unknown };
const answers: Answer[] = [];

/** Keeps a scoring answer for the conformance checks at the end of the file. */
export function recordScoringAnswer(answer: Answer): void {
  answers.push(answer);
}

/**
 * Registers the checks of every recorded answer against the official document: one for the
 * successes, one for the errors. Call once, last in the file (tests run in order).
 */
export function describeOfficialConformance(): void {
  if (!validateAnswer) reportSkip("CAMARA official OpenAPI conformance", officialDocumentSkipReason);
  describe("every scoring answer above, against CAMARA's official OpenAPI document", () => {
    afterAll(() => {
      answers.length = 0;
    });
    const check = (wanted: (status: number) => boolean) => () => {
      const checked = answers.filter((a) => wanted(a.status));
      expect(checked.length).toBeGreaterThan(0);
      const failures = checked.flatMap((a) => validateAnswer!(a.status, a.body).map((error) => `${a.test}: ${a.status} ${error}`));
      expect(failures).toEqual([]);
    };
    it.skipIf(!validateAnswer)("every 200 answer is a ScoringResponse", check((status) => status === 200));
    it.skipIf(!validateAnswer)("every error answer has a documented status and that status's Generic body", check((status) => status !== 200));
  });
}
