import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

/** A complete production configuration. */
const production = {
  NODE_ENV: "production",
  AUTH_JWKS_URL: "https://idp.example.com/jwks",
  AUTH_ISSUER: "https://idp.example.com",
  AUTH_AUDIENCE: "insights",
  IDENTIFIER_HASH_KEY: "ab".repeat(32),
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
});
