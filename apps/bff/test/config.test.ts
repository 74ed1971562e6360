import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigError, configVariables, loadConfig } from "../src/config.js";

/** A complete production configuration. */
const production = {
  NODE_ENV: "production",
  AUTH_JWKS_URL: "https://idp.example.com/jwks",
  AUTH_ISSUER: "https://idp.example.com",
  AUTH_AUDIENCE: "insights",
  IDENTIFIER_HASH_KEY: "ab".repeat(32),
  METRICS_TOKEN: "metrics-token-of-the-test",
};

describe("configuration", () => {
  it("defaults to the embedded store, port 3000 and development auth", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.auth.mode).toBe("development");
    expect(config.loadDemoData).toBe(true);
    expect(config.rateLimit).toEqual({ max: 300, addressMax: 3000, windowMs: 60_000, redisUrl: undefined });
    expect(config.profilesErrorHttpStatus).toBe("vendor");
    expect(config.readCache).toEqual({ ttlMs: 5_000, maxEntries: 100_000, maxBytes: 64 * 2 ** 20 });
  });

  it("gives each mobile overview section a deadline of MOBILE_SECTION_TIMEOUT_MS (1000 ms by default)", () => {
    expect(loadConfig({}).mobile).toEqual({ sectionTimeoutMs: 1000 });
    expect(loadConfig({ MOBILE_SECTION_TIMEOUT_MS: "250" }).mobile.sectionTimeoutMs).toBe(250);
    expect(() => loadConfig({ MOBILE_SECTION_TIMEOUT_MS: "0" })).toThrow(/MOBILE_SECTION_TIMEOUT_MS/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).port).toBe(3000);
  });

  it("names every invalid variable", () => {
    expect(() => loadConfig({ PORT: "http", DATABASE_URL: "mysql://x", TRUST_PROXY_HOPS: "true" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*TRUST_PROXY_HOPS|DATABASE_URL[\s\S]*PORT/,
    );
  });

  it("refuses production without JWKS auth and a hash key", () => {
    try {
      loadConfig({ NODE_ENV: "production" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toMatch(/AUTH_JWKS_URL[\s\S]*AUTH_ISSUER[\s\S]*AUTH_AUDIENCE[\s\S]*IDENTIFIER_HASH_KEY/);
    }
  });

  it("in production, closes /metrics unless told otherwise: METRICS_TOKEN, or METRICS_PUBLIC=true on purpose, not both", () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = production;
    expect(() => loadConfig(withoutToken)).toThrow(/METRICS_TOKEN: is required when NODE_ENV=production \(or METRICS_PUBLIC=true/);
    expect(loadConfig({ ...withoutToken, METRICS_PUBLIC: "true" }).metricsToken).toBeUndefined();
    expect(loadConfig(production).metricsToken).toBe("metrics-token-of-the-test");
    expect(() => loadConfig({ ...production, METRICS_PUBLIC: "true" })).toThrow(/METRICS_PUBLIC: contradicts METRICS_TOKEN/);
    // Outside production the metrics stay public by default, as before.
    expect(loadConfig({}).metricsToken).toBeUndefined();
  });

  it("refuses demo data in production", () => {
    expect(loadConfig(production).loadDemoData).toBe(false);
    expect(loadConfig(production).auth.mode).toBe("jwks");
    expect(() => loadConfig({ ...production, LOAD_DEMO_DATA: "true" })).toThrow(/demo data/);
  });

  it("in production: requires typ at+jwt by default, an https JWKS URL, and bounds token lifetime", () => {
    expect(loadConfig(production).auth).toMatchObject({ requireTyp: true, maxLifetimeSeconds: 86_400 });
    expect(loadConfig({ ...production, AUTH_REQUIRE_TYP: "false", AUTH_MAX_TOKEN_LIFETIME_S: "3600" }).auth).toMatchObject({
      requireTyp: false,
      maxLifetimeSeconds: 3600,
    });
    expect(() => loadConfig({ ...production, AUTH_JWKS_URL: "http://idp.example.com/jwks" })).toThrow(/AUTH_JWKS_URL: must be an https:\/\/ URL/);
    expect(loadConfig({}).auth).toMatchObject({ requireTyp: false, maxLifetimeSeconds: 86_400 });
  });

  it("requires an issuer and audience with a JWKS URL", () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: "https://idp.example.com/jwks" })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE/);
  });

  it("parses lists and sizes", () => {
    const config = loadConfig({ CORS_ORIGINS: "https://a.example.com, https://b.example.com", BODY_LIMIT: "2mb" });
    expect(config.corsOrigins).toEqual(["https://a.example.com", "https://b.example.com"]);
    expect(config.bodyLimit).toBe("2mb");
  });

  describe("upstream providers", () => {
    it("answers every family locally by default, with a 10 s request budget and no metrics token", () => {
      const config = loadConfig({});
      expect(config.upstream.families).toEqual({ scoring: { provider: "local" }, segments: { provider: "local" }, categories: { provider: "local" }, profiles: { provider: "local" } });
      expect(config.upstream).toMatchObject({ breakerFailures: 5, breakerResetMs: 10_000, maxResponseBytes: 1_048_576 });
      expect(config.requestTimeoutMs).toBe(10_000);
      expect(config.metricsToken).toBeUndefined();
    });

    it("switches a family with <FAMILY>_PROVIDER=upstream and its URL; timeout, retries, connections optional", () => {
      const config = loadConfig({
        CATEGORIES_PROVIDER: "upstream",
        CATEGORIES_UPSTREAM_URL: "https://customers.masstack.example/",
        CATEGORIES_UPSTREAM_TIMEOUT_MS: "2500",
        CATEGORIES_UPSTREAM_ORGANISATION: "telco",
      });
      expect(config.upstream.families.categories).toEqual({
        provider: "upstream",
        family: "categories",
        baseUrl: "https://customers.masstack.example",
        timeoutMs: 2500,
        retries: 2,
        connections: 16,
        account: { kind: "organisation", orgId: "telco", credential: undefined },
      });
      expect(config.upstream.families.scoring).toEqual({ provider: "local" });
    });

    it("requires the URL of an upstream family, and an http(s) one", () => {
      expect(() => loadConfig({ PROFILES_PROVIDER: "upstream", PROFILES_UPSTREAM_ORGANISATION: "telco" })).toThrow(/PROFILES_UPSTREAM_URL: is required when PROFILES_PROVIDER=upstream/);
      expect(() => loadConfig({ SCORING_PROVIDER: "upstream", SCORING_UPSTREAM_URL: "ftp://x.example" })).toThrow(/SCORING_UPSTREAM_URL/);
      expect(() => loadConfig({ SCORING_PROVIDER: "remote" })).toThrow(/SCORING_PROVIDER/);
      expect(() => loadConfig({ SEGMENTS_UPSTREAM_RETRIES: "9" })).toThrow(/SEGMENTS_UPSTREAM_RETRIES/);
    });

    it("reads each vendor's credentials: OAuth2 client credentials all or none, MasStack's bearer, IMIconnect's key", () => {
      const config = loadConfig({
        SCORING_PROVIDER: "upstream",
        SCORING_UPSTREAM_URL: "https://camara.example",
        SCORING_UPSTREAM_TOKEN_URL: "https://idp.example/token",
        SCORING_UPSTREAM_CLIENT_ID: "bff",
        SCORING_UPSTREAM_CLIENT_SECRET: "s3cret",
        SCORING_UPSTREAM_SCOPE: "customer-insights:scoring:read",
        SCORING_UPSTREAM_ORGANISATION: "telco",
        CATEGORIES_PROVIDER: "upstream",
        CATEGORIES_UPSTREAM_URL: "https://masstack.example",
        CATEGORIES_UPSTREAM_TOKEN: "vendor-token",
        CATEGORIES_UPSTREAM_ORGANISATION: "telco",
        PROFILES_PROVIDER: "upstream",
        PROFILES_UPSTREAM_URL: "https://imiconnect.example",
        PROFILES_UPSTREAM_KEY: "vendor-key",
        PROFILES_UPSTREAM_ORGANISATION: "telco",
      });
      const credential = (family: "scoring" | "categories" | "profiles") => {
        const settings = config.upstream.families[family];
        return settings.provider === "upstream" && settings.account.kind === "organisation" ? settings.account.credential : undefined;
      };
      expect(credential("scoring")).toEqual({ kind: "oauth2", tokenUrl: "https://idp.example/token", clientId: "bff", clientSecret: "s3cret", scope: "customer-insights:scoring:read" });
      expect(credential("categories")).toEqual({ kind: "header", header: "authorization", value: "Bearer vendor-token" });
      expect(credential("profiles")).toEqual({ kind: "header", header: "key", value: "vendor-key" });
      expect(() => loadConfig({ SEGMENTS_UPSTREAM_TOKEN_URL: "https://idp.example/token", SEGMENTS_UPSTREAM_CLIENT_ID: "bff" })).toThrow(/SEGMENTS_UPSTREAM_CLIENT_SECRET: is required with/);
    });

    it("refuses an upstream family that does not say whose vendor account it is: one organisation's, or each one's own", () => {
      const upstream = { SEGMENTS_PROVIDER: "upstream", SEGMENTS_UPSTREAM_URL: "https://bank.example" };
      expect(() => loadConfig(upstream)).toThrow(/SEGMENTS_UPSTREAM_ORGANISATION: is required when SEGMENTS_PROVIDER=upstream, unless SEGMENTS_UPSTREAM_CREDENTIALS=per-organisation/);
      expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_ORGANISATION: "Telco!" })).toThrow(/SEGMENTS_UPSTREAM_ORGANISATION: must be an organisation id/);
      expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_ORGANISATION: "telco", SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation", UPSTREAM_CREDENTIALS_KEY: "ab".repeat(32) })).toThrow(
        /SEGMENTS_UPSTREAM_CREDENTIALS: contradicts SEGMENTS_UPSTREAM_ORGANISATION/,
      );
      expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation" })).toThrow(/UPSTREAM_CREDENTIALS_KEY: is required with SEGMENTS_UPSTREAM_CREDENTIALS=per-organisation/);
      expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation", UPSTREAM_CREDENTIALS_KEY: "ab".repeat(31) })).toThrow(/UPSTREAM_CREDENTIALS_KEY: must be at least 32 bytes/);
      // An odd hex digit would be dropped silently.
      expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation", UPSTREAM_CREDENTIALS_KEY: `${"ab".repeat(32)}c` })).toThrow(/UPSTREAM_CREDENTIALS_KEY: must be at least 32 bytes/);
      // What the transport would drop silently: credentials in the URL, a query, a fragment.
      for (const url of ["https://user:pass@bank.example", "https://bank.example/api?x=1", "https://bank.example/#f"]) {
        expect(() => loadConfig({ ...upstream, SEGMENTS_UPSTREAM_URL: url, SEGMENTS_UPSTREAM_ORGANISATION: "telco" })).toThrow(/SEGMENTS_UPSTREAM_URL: must have no user, query or fragment/);
      }
      expect(() =>
        loadConfig({ ...upstream, SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation", UPSTREAM_CREDENTIALS_KEY: "ab".repeat(32), SEGMENTS_UPSTREAM_CLIENT_ID: "bff", SEGMENTS_UPSTREAM_CLIENT_SECRET: "s", SEGMENTS_UPSTREAM_TOKEN_URL: "https://idp.example/t" }),
      ).toThrow(/SEGMENTS_UPSTREAM_CLIENT_ID: contradicts SEGMENTS_UPSTREAM_CREDENTIALS=per-organisation/);
      const perOrganisation = loadConfig({ ...upstream, SEGMENTS_UPSTREAM_CREDENTIALS: "per-organisation", UPSTREAM_CREDENTIALS_KEY: "ab".repeat(32) });
      expect(perOrganisation.upstream.families.segments).toMatchObject({ provider: "upstream", account: { kind: "per-organisation" } });
      expect(perOrganisation.upstream.credentialsKey).toEqual(Buffer.from("ab".repeat(32), "hex"));
      // A local family needs neither.
      expect(loadConfig({ SEGMENTS_UPSTREAM_URL: "https://bank.example" }).upstream.families.segments).toEqual({ provider: "local" });
    });

    it("caps MOBILE_SECTION_TIMEOUT_MS at REQUEST_TIMEOUT_MS, and wants a METRICS_TOKEN of some length", () => {
      expect(loadConfig({ REQUEST_TIMEOUT_MS: "3000", MOBILE_SECTION_TIMEOUT_MS: "3000" }).requestTimeoutMs).toBe(3000);
      expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "500" })).toThrow(/MOBILE_SECTION_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS/);
      expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
      expect(loadConfig({ METRICS_TOKEN: "a-long-enough-metrics-token" }).metricsToken).toBe("a-long-enough-metrics-token");
    });
  });

  it("has every variable it reads in the README's configuration table", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Operations"));
    const rows = table.split("\n").filter((line) => line.startsWith("| `"));
    const listed = new Set(rows.flatMap((row) => [...(row.split(" | ")[0] ?? "").matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])));
    expect(configVariables.length).toBeGreaterThan(40);
    expect(configVariables.filter((name) => !listed.has(name))).toEqual([]);
  });
});
