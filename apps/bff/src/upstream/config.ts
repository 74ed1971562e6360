import { parseEnvironment, positiveInt } from "@insights/config";
import { z } from "zod";

/**
 * Which provider answers each vendor family, and how to reach the real vendor when it is
 * `upstream`. Spread into the BFF's environment schema (config.ts); every variable is in the
 * README's configuration table.
 */

export const upstreamFamilies = ["scoring", "segments", "categories", "profiles"] as const;
export type UpstreamFamily = (typeof upstreamFamilies)[number];

const orgId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be an organisation id (lower-case letters, digits, '-')");

export const httpUrl = z
  .string()
  .url()
  .regex(/^https?:\/\//, "must be an http(s):// URL")
  // What the transport would drop silently is refused instead: credentials in the URL, a query, a fragment.
  .refine((url) => !/^https?:\/\/[^/?#]*@/.test(url) && !/[?#]/.test(url), "must have no user, query or fragment");

/** OAuth2 client credentials (RFC 6749 §4.4): the token the BFF presents instead of the caller's. */
export type ClientCredentials = { kind: "oauth2"; tokenUrl: string; clientId: string; clientSecret: string; scope: string | undefined };
/** A fixed credential sent in one header (MasStack's bearer, IMIconnect's `key`). */
export type StaticCredential = { kind: "header"; header: string; value: string };
export type VendorCredential = ClientCredentials | StaticCredential;

/**
 * Whose vendor account an upstream family is called with (docs/upstream.md#whose-account):
 * one organisation's — the deployment's credential, or its callers' own, serve that organisation
 * alone — or each organisation's own, kept sealed in the store (`npm run admin -- upstream set`).
 */
export type UpstreamAccount =
  | { kind: "organisation"; orgId: string; credential: VendorCredential | undefined }
  | { kind: "per-organisation" };

export type UpstreamSettings = {
  family: UpstreamFamily;
  baseUrl: string;
  /** Longest a single call may take (the request's remaining budget caps it further). */
  timeoutMs: number | undefined;
  /** Extra attempts of an idempotent call after a connection error or a 503. */
  retries: number;
  /** Connections kept to this upstream at most. */
  connections: number;
  account: UpstreamAccount;
};

export type ProviderSettings = { provider: "local" } | ({ provider: "upstream" } & UpstreamSettings);

export type UpstreamConfig = {
  families: Record<UpstreamFamily, ProviderSettings>;
  /** Consecutive failures that open an upstream's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker fails fast before it lets one probe through (half-open). */
  breakerResetMs: number;
  /** Largest upstream response body read; a larger one is an upstream failure. */
  maxResponseBytes: number;
  /** What the mobile overview's segment section tells the bank it is (its own callers send these headers). */
  segmentsChannel: SegmentsChannel | undefined;
  /** Opens the organisations' sealed vendor credentials (UPSTREAM_CREDENTIALS_KEY). */
  credentialsKey: Buffer | undefined;
};

/** Citibanamex's `countryCode`, `businessCode` and `ChannelId` of the BFF's own client. */
export type SegmentsChannel = { countryCode: string; businessCode: string; channelId: string };

export const prefixOf = { scoring: "SCORING", segments: "SEGMENTS", categories: "CATEGORIES", profiles: "PROFILES" } as const satisfies Record<UpstreamFamily, string>;

function familyShape<P extends string>(prefix: P) {
  return {
    [`${prefix}_PROVIDER`]: z.enum(["local", "upstream"]).default("local"),
    [`${prefix}_UPSTREAM_URL`]: httpUrl.optional(),
    [`${prefix}_UPSTREAM_TIMEOUT_MS`]: positiveInt.optional(),
    [`${prefix}_UPSTREAM_RETRIES`]: z.coerce.number().int().min(0).max(5).default(2),
    [`${prefix}_UPSTREAM_CONNECTIONS`]: positiveInt.max(1024).default(16),
    [`${prefix}_UPSTREAM_ORGANISATION`]: orgId.optional(),
    [`${prefix}_UPSTREAM_CREDENTIALS`]: z.enum(["per-organisation"]).optional(),
  } as Record<`${P}_PROVIDER`, z.ZodDefault<z.ZodEnum<["local", "upstream"]>>> &
    Record<`${P}_UPSTREAM_ORGANISATION`, z.ZodOptional<typeof orgId>> &
    Record<`${P}_UPSTREAM_CREDENTIALS`, z.ZodOptional<z.ZodEnum<["per-organisation"]>>> &
    Record<`${P}_UPSTREAM_URL`, z.ZodOptional<typeof httpUrl>> &
    Record<`${P}_UPSTREAM_TIMEOUT_MS`, z.ZodOptional<typeof positiveInt>> &
    Record<`${P}_UPSTREAM_RETRIES` | `${P}_UPSTREAM_CONNECTIONS`, z.ZodDefault<z.ZodNumber>>;
}

const clientCredentialsShape = <P extends string>(prefix: P) =>
  ({
    [`${prefix}_UPSTREAM_TOKEN_URL`]: httpUrl.optional(),
    [`${prefix}_UPSTREAM_CLIENT_ID`]: z.string().min(1).max(256).optional(),
    [`${prefix}_UPSTREAM_CLIENT_SECRET`]: z.string().min(1).max(1024).optional(),
    [`${prefix}_UPSTREAM_SCOPE`]: z.string().min(1).max(1024).optional(),
  }) as Record<`${P}_UPSTREAM_TOKEN_URL`, z.ZodOptional<typeof httpUrl>> &
    Record<`${P}_UPSTREAM_CLIENT_ID` | `${P}_UPSTREAM_CLIENT_SECRET` | `${P}_UPSTREAM_SCOPE`, z.ZodOptional<z.ZodString>>;

export const upstreamEnvShape = {
  ...familyShape("SCORING"),
  ...familyShape("SEGMENTS"),
  ...familyShape("CATEGORIES"),
  ...familyShape("PROFILES"),
  // CAMARA and Citibanamex: OAuth2 client credentials.
  ...clientCredentialsShape("SCORING"),
  ...clientCredentialsShape("SEGMENTS"),
  // MasStack: a bearer token; IMIconnect: the client profile key.
  CATEGORIES_UPSTREAM_TOKEN: z.string().min(1).max(8192).optional(),
  PROFILES_UPSTREAM_KEY: z.string().min(1).max(1024).optional(),
  SEGMENTS_UPSTREAM_CHANNEL: z
    .string()
    .regex(/^[A-Z]{2}:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{1,32}$/, "must be countryCode:businessCode:ChannelId, e.g. MX:BCNMX:MOBILE")
    .optional(),
  UPSTREAM_BREAKER_FAILURES: positiveInt.default(5),
  UPSTREAM_BREAKER_RESET_MS: positiveInt.default(10_000),
  UPSTREAM_MAX_RESPONSE_BYTES: positiveInt.default(1_048_576),
  UPSTREAM_CREDENTIALS_KEY: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2}){32,}$/, "must be at least 32 bytes, hex-encoded")
    .optional(),
};

type UpstreamEnv = z.output<z.ZodObject<typeof upstreamEnvShape>>;

type Issue = { path: string; message: string };

/**
 * What the schema alone cannot say: a URL for each upstream family, client credentials all or
 * none, and whose vendor account each upstream family is — one organisation's, or each one's own.
 */
export function upstreamEnvIssues(env: UpstreamEnv): Issue[] {
  const issues: Issue[] = [];
  for (const family of upstreamFamilies) {
    const prefix = prefixOf[family];
    if (env[`${prefix}_PROVIDER`] !== "upstream") continue;
    if (!env[`${prefix}_UPSTREAM_URL`]) issues.push({ path: `${prefix}_UPSTREAM_URL`, message: `is required when ${prefix}_PROVIDER=upstream` });
    const organisation = env[`${prefix}_UPSTREAM_ORGANISATION`];
    const perOrganisation = env[`${prefix}_UPSTREAM_CREDENTIALS`] === "per-organisation";
    if (organisation === undefined && !perOrganisation) {
      issues.push({
        path: `${prefix}_UPSTREAM_ORGANISATION`,
        message: `is required when ${prefix}_PROVIDER=upstream, unless ${prefix}_UPSTREAM_CREDENTIALS=per-organisation: say whose vendor account it is`,
      });
    }
    if (organisation !== undefined && perOrganisation) {
      issues.push({ path: `${prefix}_UPSTREAM_CREDENTIALS`, message: `contradicts ${prefix}_UPSTREAM_ORGANISATION: set one of them` });
    }
    if (perOrganisation) {
      for (const name of deploymentCredentialVariables[family]) {
        if (env[name] !== undefined) issues.push({ path: name, message: `contradicts ${prefix}_UPSTREAM_CREDENTIALS=per-organisation (each organisation's own credential is used)` });
      }
      if (!env.UPSTREAM_CREDENTIALS_KEY) issues.push({ path: "UPSTREAM_CREDENTIALS_KEY", message: `is required with ${prefix}_UPSTREAM_CREDENTIALS=per-organisation` });
    }
  }
  for (const prefix of ["SCORING", "SEGMENTS"] as const) {
    const parts = [`${prefix}_UPSTREAM_TOKEN_URL`, `${prefix}_UPSTREAM_CLIENT_ID`, `${prefix}_UPSTREAM_CLIENT_SECRET`] as const;
    const given = parts.filter((name) => env[name] !== undefined);
    if (given.length > 0 && given.length < parts.length) {
      for (const name of parts.filter((n) => env[n] === undefined)) issues.push({ path: name, message: `is required with ${given.join(", ")}` });
    }
  }
  return issues;
}

/** The deployment's own credential variables of each family. */
const deploymentCredentialVariables = {
  scoring: ["SCORING_UPSTREAM_TOKEN_URL", "SCORING_UPSTREAM_CLIENT_ID", "SCORING_UPSTREAM_CLIENT_SECRET", "SCORING_UPSTREAM_SCOPE"],
  segments: ["SEGMENTS_UPSTREAM_TOKEN_URL", "SEGMENTS_UPSTREAM_CLIENT_ID", "SEGMENTS_UPSTREAM_CLIENT_SECRET", "SEGMENTS_UPSTREAM_SCOPE"],
  categories: ["CATEGORIES_UPSTREAM_TOKEN"],
  profiles: ["PROFILES_UPSTREAM_KEY"],
} as const satisfies Record<UpstreamFamily, readonly (keyof UpstreamEnv)[]>;

function clientCredentials(env: UpstreamEnv, prefix: "SCORING" | "SEGMENTS"): ClientCredentials | undefined {
  const tokenUrl = env[`${prefix}_UPSTREAM_TOKEN_URL`];
  const clientId = env[`${prefix}_UPSTREAM_CLIENT_ID`];
  const clientSecret = env[`${prefix}_UPSTREAM_CLIENT_SECRET`];
  if (!tokenUrl || !clientId || !clientSecret) return undefined;
  return { kind: "oauth2", tokenUrl, clientId, clientSecret, scope: env[`${prefix}_UPSTREAM_SCOPE`] };
}

/** How each family's vendor takes a credential: OAuth2 client credentials, or one fixed secret in a header. */
export const credentialKindOf = { scoring: "oauth2", segments: "oauth2", categories: "header", profiles: "header" } as const satisfies Record<UpstreamFamily, VendorCredential["kind"]>;

/** A family's fixed secret in the header its vendor reads (MasStack: a bearer token; IMIconnect: the client profile key). */
export function headerCredential(family: "categories" | "profiles", secret: string): StaticCredential {
  return family === "categories" ? { kind: "header", header: "authorization", value: `Bearer ${secret}` } : { kind: "header", header: "key", value: secret };
}

function credentialOf(env: UpstreamEnv, family: UpstreamFamily): VendorCredential | undefined {
  switch (family) {
    case "scoring":
      return clientCredentials(env, "SCORING");
    case "segments":
      return clientCredentials(env, "SEGMENTS");
    case "categories":
      return env.CATEGORIES_UPSTREAM_TOKEN ? headerCredential(family, env.CATEGORIES_UPSTREAM_TOKEN) : undefined;
    case "profiles":
      return env.PROFILES_UPSTREAM_KEY ? headerCredential(family, env.PROFILES_UPSTREAM_KEY) : undefined;
  }
}

function segmentsChannel(value: string | undefined): SegmentsChannel | undefined {
  const [countryCode, businessCode, channelId] = value?.split(":") ?? [];
  return countryCode && businessCode && channelId ? { countryCode, businessCode, channelId } : undefined;
}

/** UPSTREAM_CREDENTIALS_KEY alone (the admin CLI seals with it): a ConfigError when unset or too short. */
export function upstreamCredentialsKey(source: Record<string, string | undefined> = process.env): Buffer {
  const env = parseEnvironment(z.object({ UPSTREAM_CREDENTIALS_KEY: upstreamEnvShape.UPSTREAM_CREDENTIALS_KEY.unwrap() }), source);
  return Buffer.from(env.UPSTREAM_CREDENTIALS_KEY, "hex");
}

/** The validated environment as each family's provider settings. */
export function upstreamSettings(env: UpstreamEnv): UpstreamConfig {
  const settings = (family: UpstreamFamily): ProviderSettings => {
    const prefix = prefixOf[family];
    const baseUrl = env[`${prefix}_UPSTREAM_URL`];
    const organisation = env[`${prefix}_UPSTREAM_ORGANISATION`];
    if (env[`${prefix}_PROVIDER`] === "local" || !baseUrl) return { provider: "local" };
    const account: UpstreamAccount =
      organisation === undefined ? { kind: "per-organisation" } : { kind: "organisation", orgId: organisation, credential: credentialOf(env, family) };
    return {
      provider: "upstream",
      family,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      timeoutMs: env[`${prefix}_UPSTREAM_TIMEOUT_MS`],
      retries: env[`${prefix}_UPSTREAM_RETRIES`],
      connections: env[`${prefix}_UPSTREAM_CONNECTIONS`],
      account,
    };
  };
  return {
    families: { scoring: settings("scoring"), segments: settings("segments"), categories: settings("categories"), profiles: settings("profiles") },
    breakerFailures: env.UPSTREAM_BREAKER_FAILURES,
    breakerResetMs: env.UPSTREAM_BREAKER_RESET_MS,
    maxResponseBytes: env.UPSTREAM_MAX_RESPONSE_BYTES,
    segmentsChannel: segmentsChannel(env.SEGMENTS_UPSTREAM_CHANNEL),
    credentialsKey: env.UPSTREAM_CREDENTIALS_KEY ? Buffer.from(env.UPSTREAM_CREDENTIALS_KEY, "hex") : undefined,
  };
}
