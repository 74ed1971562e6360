import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { loadOrCreateDevelopmentKeys } from "../../src/platform/auth/development-keys.js";
import { signDevelopmentToken, type DevelopmentTokenRequest } from "../../src/platform/auth/development-tokens.js";
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from "../../src/config.js";
import type { TestApp } from "../support/harness.js";
import { prototypeKeys } from "./odd-values.js";

/**
 * Credentials for fuzz requests: valid ones (the right scope and organisation for the route)
 * about four times in five, so validation and handlers are reached; otherwise one of many
 * broken ones — missing, malformed, expired, foreign-signed, tampered, another organisation's,
 * without the scope, with prototype-key claims, given twice.
 */

type HeaderLines = [string, string][];

/** Valid credentials most of the time, broken ones sometimes. */
export function mostlyValid(valid: readonly HeaderLines[], broken: readonly HeaderLines[]): fc.Arbitrary<HeaderLines> {
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...broken) });
}

const bearer = (token: string): HeaderLines => [["authorization", `Bearer ${token}`]];

/** A token signed by a key the app does not trust. */
async function foreignToken(request: Partial<DevelopmentTokenRequest>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bff-fuzz-keys-"));
  try {
    const keys = await loadOrCreateDevelopmentKeys(dir);
    return await signDevelopmentToken(keys, { scopes: [], orgId: "telco", expiresInSeconds: 600, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, ...request });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Bearer credentials: the given valid tokens, and broken variants of the first. */
export async function bearerCredentials(app: TestApp, valid: readonly Partial<DevelopmentTokenRequest>[]): Promise<fc.Arbitrary<HeaderLines>> {
  const tokens = await Promise.all(valid.map((request) => app.token({ expiresInSeconds: 3600, ...request })));
  const first = valid[0] ?? {};
  const good = tokens[0] ?? "";
  const broken: HeaderLines[] = [
    [],
    [["authorization", "Bearer"]],
    [["authorization", "Bearer "]],
    [["authorization", `Bearer ${"x".repeat(1500)}`]],
    [["authorization", "Basic ZnV6ejpmdXp6"]],
    [["authorization", good]],
    [["authorization", `Bearer ${good} extra`]],
    [["authorization", `Bearer ${good.slice(0, -4)}AAAA`]],
    [["authorization", `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ scope: "everything", org: "telco" })}.`]],
    [["authorization", "Bearer constructor"]],
    [["authorization", "Bearer __proto__"]],
    bearer(await app.token({ ...first, scopes: [] })),
    bearer(await app.token({ ...first, scopes: [...prototypeKeys] })),
    bearer(await app.token({ ...first, orgId: "other" })),
    bearer(await app.token({ ...first, orgId: "constructor", subject: "__proto__" })),
    bearer(await app.token({ ...first, orgId: "__proto__" })),
    bearer(await app.token({ ...first, phoneNumber: "+34600000001" })),
    bearer(await app.token({ ...first, now: new Date(Date.now() - 7_200_000), expiresInSeconds: 600 })),
    bearer(await foreignToken(first)),
    [
      ["authorization", `Bearer ${good}`],
      ["authorization", "Bearer x"],
    ],
    [
      ["authorization", "Bearer x"],
      ["authorization", `Bearer ${good}`],
    ],
  ];
  return mostlyValid(tokens.map(bearer), broken);
}

/** IMIconnect API-key credentials: `key` or `secretKey` with the organisation's key. */
export function apiKeyCredentials(key: string, otherOrgKey: string): fc.Arbitrary<HeaderLines> {
  const valid: HeaderLines[] = [[["key", key]], [["secretKey", key]], [["key", otherOrgKey]]];
  const broken: HeaderLines[] = [
    [],
    [["key", ""]],
    [["key", `${key}x`]],
    [["key", "constructor"]],
    [["key", "__proto__"]],
    [["secretKey", "toString"]],
    [["key", "x".repeat(1500)]],
    [["authorization", `Bearer ${key}`]],
    [
      ["key", "wrong"],
      ["secretKey", key],
    ],
    [
      ["key", key],
      ["key", "wrong"],
    ],
  ];
  return mostlyValid(valid, broken);
}
