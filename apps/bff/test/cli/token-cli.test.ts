import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateDevelopmentKeys } from "../../src/platform/auth/development-keys.js";
import { createTokenVerifier } from "../../src/platform/auth/token-verifier.js";
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from "../../src/config.js";
import { runEntry } from "../support/processes.js";

describe("npm run token", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bff-token-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const token = (args: string[], env: Record<string, string> = {}) => runEntry("dist/cli/token.js", args, { DATA_DIR: dataDir, ...env });

  async function verifierForDataDir() {
    const keys = await loadOrCreateDevelopmentKeys(dataDir);
    return createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] } });
  }

  it("prints a token the BFF accepts, with the scopes and organisation asked for", async () => {
    const result = await token(["--scope", "customer-insights:scoring:read", "--scope", "segments:read", "--org", "other"]);
    expect(result.code).toBe(0);
    const jwt = result.stdout.trim();
    const caller = await (await verifierForDataDir())(jwt);
    expect([...caller.scopes]).toEqual(["customer-insights:scoring:read", "segments:read"]);
    expect(caller.orgId).toBe("other");
    expect(caller.phoneNumber).toBeUndefined();
    expect(decodeProtectedHeader(jwt).alg).toBe("ES256");
  });

  it("binds the token to a subscriber with --phone (3-legged) and honours --expires-in", async () => {
    const result = await token(["--scope", "customer-insights:scoring:read", "--phone", "+34600000001", "--expires-in", "60s"]);
    const claims = decodeJwt(result.stdout.trim());
    expect(claims.phone_number).toBe("+34600000001");
    expect(claims.org).toBe("telco");
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.sub).not.toContain("34600000001");
  });

  it("prints an already expired token with --expired", async () => {
    const result = await token(["--scope", "x", "--expired"]);
    await expect((await verifierForDataDir())(result.stdout.trim())).rejects.toMatchObject({ kind: "unauthenticated" });
  });

  it("refuses to sign in production", async () => {
    const result = await token(["--scope", "x"], {
      NODE_ENV: "production",
      AUTH_JWKS_URL: "https://idp.example.com/jwks",
      AUTH_ISSUER: "https://idp.example.com",
      AUTH_AUDIENCE: "insights",
      IDENTIFIER_HASH_KEY: "ab".repeat(32),
      METRICS_TOKEN: "metrics-token-of-the-test",
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/only available in the embedded default/);
  });

  it("explains bad arguments and exits 2", async () => {
    const result = await token(["--scope", "x", "--phone", "600000001"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E\.164/);
    expect(result.stderr).toMatch(/Usage: npm run token/);
  });
});
