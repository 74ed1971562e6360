import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { recordTestSecret } from "@insights/config/testing";
import { openConfiguredStore } from "@insights/store";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openCredential, sealCredential } from "../../../src/platform/upstream/credential-vault.js";
import { sendExact, signTestToken, startTestApp, type TestApp } from "../../support/harness.js";
import { startLoopbackServer, type LoopbackServer } from "../../support/upstream-fixtures.js";

/**
 * `<FAMILY>_UPSTREAM_CREDENTIALS=per-organisation`: each call is made with the caller's
 * organisation's own vendor credential, sealed in the store under UPSTREAM_CREDENTIALS_KEY; an
 * organisation without one gets the family's forbidden error and no vendor call. And
 * `npm run admin -- upstream set|list|revoke`, which keeps them.
 */

const KEY_HEX = "5a".repeat(32);
const KEY = Buffer.from(KEY_HEX, "hex");
const TELCO_VENDOR_KEY = "telco-own-imiconnect-key";
const OTHER_VENDOR_KEY = "other-own-imiconnect-key";
const LUIS_PHONE = "+34600000001";

type Seen = { url: string; key: string | undefined; authorization: string | undefined };

describe("per-organisation vendor credentials", () => {
  let vendor: LoopbackServer;
  let tokenEndpoint: LoopbackServer;
  let front: TestApp;
  let seen: Seen[] = [];
  let tokenRequests: string[] = [];

  beforeAll(async () => {
    for (const secret of [TELCO_VENDOR_KEY, OTHER_VENDOR_KEY, "telco-secret"]) recordTestSecret("vendor credential", secret, "an organisation's own vendor credential");
    vendor = await startLoopbackServer((req, res) => {
      seen.push({ url: req.url ?? "", key: req.headers.key as string | undefined, authorization: req.headers.authorization });
      if (req.url?.startsWith("/camara")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ status: 404, code: "IDENTIFIER_NOT_FOUND", message: "Some identifier cannot be matched to a device" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ Status: 0, Description: "success", Records: [], code: "1000", transid: randomUUID() }));
    });
    tokenEndpoint = await startLoopbackServer((req, res) => {
      const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      tokenRequests.push(basic.split(":")[0] ?? "");
      if (basic.startsWith("refused-client:")) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_client" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: `token-of-${basic.split(":")[0]}`, expires_in: 600 }));
    });
    front = await startTestApp({
      env: {
        PROFILES_PROVIDER: "upstream",
        PROFILES_UPSTREAM_URL: vendor.url,
        PROFILES_UPSTREAM_CREDENTIALS: "per-organisation",
        SCORING_PROVIDER: "upstream",
        SCORING_UPSTREAM_URL: vendor.url,
        SCORING_UPSTREAM_CREDENTIALS: "per-organisation",
        UPSTREAM_CREDENTIALS_KEY: KEY_HEX,
        SCORING_UPSTREAM_RETRIES: "0",
      },
    });
    const seal = (orgId: string, secret: string) => sealCredential(KEY, orgId, "profiles", { kind: "header", secret });
    await front.store.setUpstreamCredential({ orgId: "telco", family: "profiles", kind: "header", sealed: seal("telco", TELCO_VENDOR_KEY) });
    await front.store.setUpstreamCredential({
      orgId: "telco",
      family: "scoring",
      kind: "oauth2",
      sealed: sealCredential(KEY, "telco", "scoring", { kind: "oauth2", tokenUrl: `${tokenEndpoint.url}/token`, clientId: "telco-client", clientSecret: "telco-secret" }),
    });
  }, 60_000);

  afterAll(async () => {
    await front?.close();
    await vendor?.close();
    await tokenEndpoint?.close();
  });

  beforeEach(() => {
    seen = [];
    tokenRequests = [];
  });

  /** Each organisation asks for its own customer (telco's 4545, other's 9999). */
  const profile = (callerKey: string) => sendExact(`${front.url}/resources/v1/customerprofile/${callerKey.includes("other") ? "9999" : "4545"}`, { headers: { key: callerKey } });

  it("calls the vendor with the caller's organisation's own credential, never the caller's", async () => {
    const r = await profile("demo-telco-profile-key");
    expect(r.json.code).toBe("1000");
    expect(seen).toEqual([{ url: "/resources/v1/customerprofile/4545?showinwardlinks=0", key: TELCO_VENDOR_KEY, authorization: undefined }]);
  });

  it("refuses an organisation that has no credential for the family with its forbidden error, before any vendor call", async () => {
    const r = await profile("demo-other-profile-key");
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ Status: 1 });
    expect(r.json.code).not.toBe("1000");
    expect(seen).toEqual([]);
    const scoring = await sendExact(`${front.url}/camara/customerinsights/scoring/retrieve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await signTestToken({ scopes: [SCORING_SCOPE], orgId: "other" })}` },
      body: JSON.stringify({ phoneNumber: "+34600000009" }),
    });
    expect(scoring.status).toBe(403);
    expect(scoring.json).toMatchObject({ code: "PERMISSION_DENIED" });
    expect(seen).toEqual([]);
    expect(tokenRequests).toEqual([]);
  });

  it("fetches an OAuth2 token with the organisation's own client credentials", async () => {
    const r = await sendExact(`${front.url}/camara/customerinsights/scoring/retrieve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await signTestToken({ scopes: [SCORING_SCOPE] })}` },
      body: JSON.stringify({ phoneNumber: LUIS_PHONE }),
    });
    expect(r.status).toBe(404);
    expect(tokenRequests).toEqual(["telco-client"]);
    expect(seen.map((s) => s.authorization)).toEqual(["Bearer token-of-telco-client"]);
  });

  it("one organisation's failing credential does not open the vendor's breaker for the others", async () => {
    await front.store.setUpstreamCredential({
      orgId: "other",
      family: "scoring",
      kind: "oauth2",
      sealed: sealCredential(KEY, "other", "scoring", { kind: "oauth2", tokenUrl: `${tokenEndpoint.url}/token`, clientId: "refused-client", clientSecret: "x" }),
    });
    try {
      const retrieve = async (orgId: string, phoneNumber: string) =>
        sendExact(`${front.url}/camara/customerinsights/scoring/retrieve`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await signTestToken({ scopes: [SCORING_SCOPE], orgId })}` },
          body: JSON.stringify({ phoneNumber }),
        });
      // More failures than UPSTREAM_BREAKER_FAILURES (5).
      for (let i = 0; i < 7; i++) expect((await retrieve("other", "+34600000009")).status).toBe(503);
      expect(seen).toEqual([]);
      expect((await retrieve("telco", LUIS_PHONE)).status).toBe(404);
      expect(seen).toHaveLength(1);
    } finally {
      await front.store.revokeUpstreamCredential("other", "scoring");
    }
  });

  it("uses another organisation's credential once it has one, and each keeps its own", async () => {
    await front.store.setUpstreamCredential({ orgId: "other", family: "profiles", kind: "header", sealed: sealCredential(KEY, "other", "profiles", { kind: "header", secret: OTHER_VENDOR_KEY }) });
    try {
      await profile("demo-other-profile-key");
      await profile("demo-telco-profile-key");
      expect(seen.map((s) => s.key)).toEqual([OTHER_VENDOR_KEY, TELCO_VENDOR_KEY]);
    } finally {
      await front.store.revokeUpstreamCredential("other", "profiles");
    }
    seen = [];
    await profile("demo-other-profile-key");
    expect(seen).toEqual([]);
  });

  it("does not open a sealed credential moved to another organisation's row (a database user cannot lend one): unavailable, no vendor call", async () => {
    const telcoSealed = (await front.store.findUpstreamCredential("telco", "profiles"))!.sealed;
    await front.store.setUpstreamCredential({ orgId: "other", family: "profiles", kind: "header", sealed: telcoSealed });
    try {
      const r = await profile("demo-other-profile-key");
      expect(r.json.code).toBe("7006");
      expect(seen).toEqual([]);
    } finally {
      await front.store.revokeUpstreamCredential("other", "profiles");
    }
  });

  it("keeps no usable secret in the store", async () => {
    const rows = await sql<{ sealed: string }>`select sealed from upstream_credentials`.execute(front.store.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const { sealed } of rows.rows) {
      expect(sealed).not.toContain(TELCO_VENDOR_KEY);
      expect(sealed).not.toContain("telco-secret");
      expect(openCredential(Buffer.from("5b".repeat(32), "hex"), "telco", "profiles", sealed)).toBeUndefined();
      // Cut short (a shorter authentication tag), or with another nonce length: not opened.
      const [version, iv, body] = sealed.split(".") as [string, string, string];
      const bytes = Buffer.from(body, "base64url");
      expect(openCredential(KEY, "telco", "profiles", `${version}.${iv}.${bytes.subarray(0, bytes.length - 4).toString("base64url")}`)).toBeUndefined();
      expect(openCredential(KEY, "telco", "profiles", `${version}.${Buffer.alloc(16).toString("base64url")}.${body}`)).toBeUndefined();
    }
  });
});

const appRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** `npm run admin` (dist/cli/admin.js) as its own process, with `input` on its stdin. */
function admin(args: string[], env: Record<string, string>, input = "") {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["dist/cli/admin.js", ...args], { cwd: appRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("npm run admin -- upstream set|list|revoke", () => {
  let dataDir: string;
  let env: Record<string, string>;
  const SECRET = "a-vendor-key-only-the-operator-knows";

  beforeAll(async () => {
    recordTestSecret("vendor credential", SECRET, "the secret piped to npm run admin -- upstream set");
    dataDir = await mkdtemp(join(tmpdir(), "bff-admin-upstream-"));
    env = { DATA_DIR: dataDir, NODE_ENV: "production", IDENTIFIER_HASH_KEY: "ce".repeat(32), UPSTREAM_CREDENTIALS_KEY: KEY_HEX };
    expect((await admin(["org", "create", "acme-bank", "--name", "Acme Bank"], env)).code).toBe(0);
  }, 60_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("seals a credential read from stdin, lists it without the secret, never prints it, and revokes it", async () => {
    const set = await admin(["upstream", "set", "--org", "acme-bank", "--family", "profiles"], env, `${SECRET}\n`);
    expect(set).toMatchObject({ code: 0, stdout: "" });
    expect(set.stderr).toContain("set the profiles vendor credential of organisation acme-bank");
    const oauth = await admin(["upstream", "set", "--org", "acme-bank", "--family", "segments", "--token-url", "https://idp.example/token", "--client-id", "acme"], env, `${SECRET}\n`);
    expect(oauth.code).toBe(0);

    const listed = await admin(["upstream", "list", "--org", "acme-bank"], env);
    expect(listed.stdout.trim().split("\n").map((line) => line.split("\t").slice(0, 3))).toEqual([
      ["org", "family", "kind"],
      ["acme-bank", "profiles", "header"],
      ["acme-bank", "segments", "oauth2"],
    ]);
    for (const output of [set.stdout, set.stderr, oauth.stdout, oauth.stderr, listed.stdout, listed.stderr]) expect(output).not.toContain(SECRET);

    const store = await openConfiguredStore({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 5000, identifierHashKey: Buffer.from(env.IDENTIFIER_HASH_KEY!, "hex") });
    try {
      const sealed = (await store.findUpstreamCredential("acme-bank", "profiles"))!.sealed;
      expect(sealed).not.toContain(SECRET);
      expect(openCredential(KEY, "acme-bank", "profiles", sealed)).toEqual({ kind: "header", secret: SECRET });
      const sealedOauth = (await store.findUpstreamCredential("acme-bank", "segments"))!.sealed;
      expect(openCredential(KEY, "acme-bank", "segments", sealedOauth)).toEqual({ kind: "oauth2", tokenUrl: "https://idp.example/token", clientId: "acme", clientSecret: SECRET });
    } finally {
      await store.close();
    }

    expect((await admin(["upstream", "revoke", "--org", "acme-bank", "--family", "profiles"], env)).code).toBe(0);
    const again = await admin(["upstream", "revoke", "--org", "acme-bank", "--family", "profiles"], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("organisation acme-bank has no profiles vendor credential");
  }, 60_000);

  it("takes a secret of exactly 8192 bytes", async () => {
    const result = await admin(["upstream", "set", "--org", "acme-bank", "--family", "categories"], env, `${"k".repeat(8192)}\n`);
    expect(result.code).toBe(0);
  }, 60_000);

  it.each([
    ["without UPSTREAM_CREDENTIALS_KEY", ["upstream", "set", "--org", "acme-bank", "--family", "profiles"], { UPSTREAM_CREDENTIALS_KEY: "" }, `${SECRET}\n`, /UPSTREAM_CREDENTIALS_KEY/],
    ["an unknown family", ["upstream", "set", "--org", "acme-bank", "--family", "weather"], {}, `${SECRET}\n`, /--family: a family is one of scoring, segments, categories, profiles/],
    ["an unknown organisation", ["upstream", "set", "--org", "nobody", "--family", "profiles"], {}, `${SECRET}\n`, /no organisation "nobody"/],
    ["OAuth2 client credentials without a client id", ["upstream", "set", "--org", "acme-bank", "--family", "scoring", "--token-url", "https://idp.example/t"], {}, `${SECRET}\n`, /--token-url and --client-id are required for scoring/],
    ["client options for a family that takes one secret", ["upstream", "set", "--org", "acme-bank", "--family", "categories", "--client-id", "x"], {}, `${SECRET}\n`, /categories takes one secret on stdin, not --client-id/],
    ["an empty stdin", ["upstream", "set", "--org", "acme-bank", "--family", "profiles"], {}, "", /stdin must hold the secret on one line/],
    ["a secret on several lines", ["upstream", "set", "--org", "acme-bank", "--family", "profiles"], {}, "a\nb\n", /stdin must hold the secret on one line/],
    ["a secret over 8192 bytes", ["upstream", "set", "--org", "acme-bank", "--family", "profiles"], {}, `${"k".repeat(8193)}\n`, /longer than 8192 bytes/],
    ["a token URL that is not http(s)", ["upstream", "set", "--org", "acme-bank", "--family", "scoring", "--token-url", "ftp://idp.example", "--client-id", "x"], {}, `${SECRET}\n`, /tokenUrl/],
  ])("refuses %s with exit 2, printing no secret", async (_what, args, extra, input, message) => {
    const result = await admin(args, { ...env, ...extra }, input);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  }, 60_000);
});
