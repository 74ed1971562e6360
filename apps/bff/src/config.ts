import { bool, ConfigError, loadStoreSettings, parseEnvironment, positiveInt, productionIssues, sharedEnvShape, storeSettings, type StoreSettings } from "@insights/config";
import { scoringScales, ScoringTypeSchema, type ScoringType } from "@insights/contracts/records";
import type { ReadCacheOptions } from "@insights/store";
import { z } from "zod";
import { familiesEnvShape, upstreamFamilyConfigurations, type UpstreamFamily } from "./families/index.js";
import { segmentsChannel, type SegmentsChannel } from "./families/segments/upstream.js";
import { upstreamEnvIssues, upstreamEnvShape, upstreamSettings, type UpstreamConfig } from "./platform/upstream/config.js";

/**
 * The one place that reads the environment. Validated at start; a bad value stops the process
 * with a message naming the variable. Every variable is in the README's configuration table.
 */

const commaList = z
  .string()
  .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));

const EnvSchema = z
  .object({
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // NODE_ENV, LOAD_DEMO_DATA, DATA_DIR, DATABASE_*, IDENTIFIER_HASH_KEY, LOG_LEVEL: read alike by the worker.
    ...sharedEnvShape,
    AUTH_JWKS_URL: z.string().url().optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    AUTH_ALGORITHMS: commaList.pipe(z.array(z.enum(["RS256", "PS256", "ES256", "ES384", "EdDSA"])).min(1)).default("RS256,PS256,ES256,EdDSA"),
    AUTH_REQUIRE_TYP: bool.optional(),
    AUTH_MAX_TOKEN_LIFETIME_S: positiveInt.default(86_400),
    CORS_ORIGINS: commaList.pipe(z.array(z.string().url())).default(""),
    RATE_LIMIT_MAX: positiveInt.default(300),
    RATE_LIMIT_ADDRESS_MAX: positiveInt.optional(),
    RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// URL")
      .optional(),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, "a size such as 100kb")
      .default("100kb"),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
    PROFILES_ERROR_HTTP_STATUS: z.enum(["vendor", "http"]).default("vendor"),
    SCORING_SCALES: commaList.pipe(z.array(ScoringTypeSchema).min(1)).default(scoringScales.join(",")),
    SCORING_DEFAULT_SCALE: ScoringTypeSchema.default("gaugeMetric"),
    SCORING_ID_DOCUMENT: z.enum(["optional", "required", "unsupported"]).default("optional"),
    SEGMENTS_SESSION_TTL_SECONDS: positiveInt.default(900),
    READ_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5_000),
    READ_CACHE_MAX_ENTRIES: positiveInt.default(100_000),
    READ_CACHE_MAX_MB: positiveInt.default(64),
    MOBILE_SECTION_TIMEOUT_MS: positiveInt.default(1000),
    REQUEST_TIMEOUT_MS: positiveInt.default(10_000),
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(1024).optional(),
    /** In production /metrics needs METRICS_TOKEN; this serves it to anyone instead, said on purpose. */
    METRICS_PUBLIC: bool.optional(),
    // Each family's provider and upstream variables, then those every upstream shares.
    ...familiesEnvShape,
    ...upstreamEnvShape,
  })
  .superRefine((env, ctx) => {
    if (!env.SCORING_SCALES.includes(env.SCORING_DEFAULT_SCALE)) {
      ctx.addIssue({ code: "custom", path: ["SCORING_DEFAULT_SCALE"], message: "must be one of SCORING_SCALES" });
    }
    if (env.MOBILE_SECTION_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["MOBILE_SECTION_TIMEOUT_MS"], message: "must not exceed REQUEST_TIMEOUT_MS" });
    }
    for (const issue of upstreamEnvIssues(env, upstreamFamilyConfigurations)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    if (env.METRICS_PUBLIC && env.METRICS_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["METRICS_PUBLIC"], message: "contradicts METRICS_TOKEN: set one of them" });
    }
    if (env.NODE_ENV === "production") {
      for (const key of ["AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"] as const) {
        if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required when NODE_ENV=production" });
      }
      if (!env.METRICS_TOKEN && !env.METRICS_PUBLIC) {
        ctx.addIssue({ code: "custom", path: ["METRICS_TOKEN"], message: "is required when NODE_ENV=production (or METRICS_PUBLIC=true, to serve /metrics to anyone on purpose)" });
      }
    }
    // The checks every process that opens the store applies (the worker and the CLIs too).
    for (const issue of productionIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    if (env.NODE_ENV !== "production") return;
    if (env.AUTH_JWKS_URL && !env.AUTH_JWKS_URL.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["AUTH_JWKS_URL"], message: "must be an https:// URL when NODE_ENV=production" });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

/** Every variable the BFF reads: the README's configuration table lists each. */
export const configVariables: readonly string[] = Object.keys(EnvSchema.innerType().shape);

/** What every token must satisfy, whoever signed it. */
export type TokenRules = {
  issuer: string;
  audience: string;
  algorithms: string[];
  /** `typ: at+jwt` required (RFC 9068); on by default in production. */
  requireTyp: boolean;
  /** Longest accepted `exp - iat`. */
  maxLifetimeSeconds: number;
};

export type AuthConfig =
  | ({ mode: "jwks"; jwksUrl: URL } & TokenRules)
  /** Embedded default: a development key pair kept in DATA_DIR, refused in production. */
  | ({ mode: "development" } & TokenRules);

/** The store settings every process shares (StoreSettings), and the BFF's own. */
export type Config = StoreSettings & {
  host: string;
  port: number;
  auth: AuthConfig;
  corsOrigins: string[];
  /** Per caller once authenticated (`max`), per client address before (`addressMax`). */
  rateLimit: { max: number; addressMax: number; windowMs: number; redisUrl: string | undefined };
  bodyLimit: string;
  trustProxyHops: number;
  shutdownTimeoutMs: number;
  profilesErrorHttpStatus: Env["PROFILES_ERROR_HTTP_STATUS"];
  scoring: ScoringConfig;
  segments: SegmentsConfig;
  /** The store's read cache (docs/performance.md#read-cache); a TTL of 0 turns it off. */
  readCache: ReadCacheOptions;
  mobile: MobileConfig;
  /** Each request's time budget: upstream calls get what remains of it. */
  requestTimeoutMs: number;
  /** Bearer token `GET /metrics` requires; unset, the metrics are public (set it in production). */
  metricsToken: string | undefined;
  /** Which provider answers each vendor family (local store or the real vendor). */
  upstream: UpstreamConfig<UpstreamFamily>;
};

/** The mobile API: how long each overview section may take before it is answered as an error. */
export type MobileConfig = { sectionTimeoutMs: number };

/** Citibanamex segments family: how long a key-exchange session (`sid`) lives; what the overview's segment section tells the bank it is (SEGMENTS_UPSTREAM_CHANNEL). */
export type SegmentsConfig = { sessionTtlSeconds: number; upstreamChannel: SegmentsChannel | undefined };

/** Operator configuration of the CAMARA scoring family. */
export type ScoringConfig = {
  /** The scales this operator offers. */
  scales: ScoringType[];
  defaultScale: ScoringType;
  /** Whether `idDocument` may, must or must not be sent (SCORING_ID_DOCUMENT). */
  idDocument: "optional" | "required" | "unsupported";
};

export const DEVELOPMENT_ISSUER = "insights-bff-dev";
export const DEVELOPMENT_AUDIENCE = "insights-bff";

export { ConfigError };

/** What the admin CLI needs: only the store's settings (it runs where the BFF's auth is not configured), read here, where the environment is read. */
export function loadStoreConfig(source: Record<string, string | undefined> = process.env): StoreSettings {
  return loadStoreSettings(source);
}

/** Parses configuration from an environment (process.env by default). Throws ConfigError listing every problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const env = parseEnvironment(EnvSchema, source);
  const tokenLimits = { requireTyp: env.AUTH_REQUIRE_TYP ?? env.NODE_ENV === "production", maxLifetimeSeconds: env.AUTH_MAX_TOKEN_LIFETIME_S };
  const auth: AuthConfig = env.AUTH_JWKS_URL
    ? {
        mode: "jwks",
        jwksUrl: new URL(env.AUTH_JWKS_URL),
        issuer: env.AUTH_ISSUER ?? "",
        audience: env.AUTH_AUDIENCE ?? "",
        algorithms: env.AUTH_ALGORITHMS,
        ...tokenLimits,
      }
    : { mode: "development", issuer: env.AUTH_ISSUER ?? DEVELOPMENT_ISSUER, audience: env.AUTH_AUDIENCE ?? DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], ...tokenLimits };
  if (auth.mode === "jwks" && (!auth.issuer || !auth.audience)) {
    throw new ConfigError("invalid configuration:\n  AUTH_ISSUER and AUTH_AUDIENCE are required with AUTH_JWKS_URL");
  }
  return {
    host: env.HOST,
    port: env.PORT,
    ...storeSettings(env),
    auth,
    corsOrigins: env.CORS_ORIGINS,
    rateLimit: {
      max: env.RATE_LIMIT_MAX,
      addressMax: env.RATE_LIMIT_ADDRESS_MAX ?? 10 * env.RATE_LIMIT_MAX,
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      redisUrl: env.REDIS_URL,
    },
    bodyLimit: env.BODY_LIMIT,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    profilesErrorHttpStatus: env.PROFILES_ERROR_HTTP_STATUS,
    scoring: { scales: env.SCORING_SCALES, defaultScale: env.SCORING_DEFAULT_SCALE, idDocument: env.SCORING_ID_DOCUMENT },
    segments: { sessionTtlSeconds: env.SEGMENTS_SESSION_TTL_SECONDS, upstreamChannel: segmentsChannel(env.SEGMENTS_UPSTREAM_CHANNEL) },
    readCache: { ttlMs: env.READ_CACHE_TTL_MS, maxEntries: env.READ_CACHE_MAX_ENTRIES, maxBytes: env.READ_CACHE_MAX_MB * 2 ** 20 },
    mobile: { sectionTimeoutMs: env.MOBILE_SECTION_TIMEOUT_MS },
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    metricsToken: env.METRICS_TOKEN,
    upstream: upstreamSettings(env, upstreamFamilyConfigurations),
  };
}
