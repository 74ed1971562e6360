import { parseEnvironment, positiveInt } from "@insights/config";
import { z } from "zod";

/**
 * Which provider answers each vendor family, and how to reach the real vendor when it is
 * `upstream`: the variables every family has (`<PREFIX>_PROVIDER`, `<PREFIX>_UPSTREAM_URL`…), its
 * credential scheme's, and the shared `UPSTREAM_*` ones. Each family names its prefix and scheme
 * in its own folder; the app's environment schema (config.ts) spreads the families' shapes and
 * `upstreamEnvShape`. Every variable is in the README's configuration table.
 */

const orgId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be an organisation id (lower-case letters, digits, '-')");

export const httpUrl = z
  .string()
  .url()
  .regex(/^https?:\/\//, "must be an http(s):// URL")
  // What the transport would drop silently is refused instead: credentials in the URL, a query, a fragment.
  .refine((url) => !/^https?:\/\/[^/?#]*@/.test(url) && !/[?#]/.test(url), "must have no user, query or fragment");

/** OAuth2 client credentials (RFC 6749 §4.4): the token the BFF presents instead of the caller's. */
export type ClientCredentials = { kind: "oauth2"; tokenUrl: string; clientId: string; clientSecret: string; scope: string | undefined };
/** A fixed credential sent in one header (a bearer token, a key). */
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

export type UpstreamSettings<F extends string = string> = {
  family: F;
  baseUrl: string;
  /** Longest a single call may take (the request's remaining budget caps it further). */
  timeoutMs: number | undefined;
  /** Extra attempts of an idempotent call after a connection error or a 503. */
  retries: number;
  /** Connections kept to this upstream at most. */
  connections: number;
  account: UpstreamAccount;
};

export type ProviderSettings<F extends string = string> = { provider: "local" } | ({ provider: "upstream" } & UpstreamSettings<F>);

export type UpstreamConfig<F extends string = string> = {
  families: Record<F, ProviderSettings<F>>;
  /** Consecutive failures that open an upstream's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker fails fast before it lets one probe through (half-open). */
  breakerResetMs: number;
  /** Largest upstream response body read; a larger one is an upstream failure. */
  maxResponseBytes: number;
  /** Opens the organisations' sealed vendor credentials (UPSTREAM_CREDENTIALS_KEY). */
  credentialsKey: Buffer | undefined;
};

/** The variables every family has, under its prefix. */
export function providerEnvShape<P extends string>(prefix: P) {
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

/**
 * How a family's vendor takes the BFF's credential: its kind, the variables that give the
 * deployment's own, that credential read from the validated environment, and an organisation's
 * secret as the vendor takes it (`header` credentials).
 */
export type CredentialScheme = {
  readonly kind: VendorCredential["kind"];
  readonly variables: readonly string[];
  /** The deployment's own credential; undefined when its variables give none. */
  fromEnvironment(env: Readonly<Record<string, unknown>>): VendorCredential | undefined;
  /** An organisation's one secret, in the header the vendor reads (header schemes only). */
  headerOf?(secret: string): StaticCredential;
};

/** OAuth2 client credentials under a prefix: `<PREFIX>_UPSTREAM_TOKEN_URL`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_SCOPE`, all or none (but the scope). */
export function clientCredentialsScheme<P extends string>(prefix: P) {
  const names = { tokenUrl: `${prefix}_UPSTREAM_TOKEN_URL`, clientId: `${prefix}_UPSTREAM_CLIENT_ID`, clientSecret: `${prefix}_UPSTREAM_CLIENT_SECRET`, scope: `${prefix}_UPSTREAM_SCOPE` } as const;
  const envShape = {
    [names.tokenUrl]: httpUrl.optional(),
    [names.clientId]: z.string().min(1).max(256).optional(),
    [names.clientSecret]: z.string().min(1).max(1024).optional(),
    [names.scope]: z.string().min(1).max(1024).optional(),
  } as Record<`${P}_UPSTREAM_TOKEN_URL`, z.ZodOptional<typeof httpUrl>> &
    Record<`${P}_UPSTREAM_CLIENT_ID` | `${P}_UPSTREAM_CLIENT_SECRET` | `${P}_UPSTREAM_SCOPE`, z.ZodOptional<z.ZodString>>;
  const scheme: CredentialScheme = {
    kind: "oauth2",
    variables: [names.tokenUrl, names.clientId, names.clientSecret, names.scope],
    fromEnvironment(env) {
      const [tokenUrl, clientId, clientSecret, scope] = [env[names.tokenUrl], env[names.clientId], env[names.clientSecret], env[names.scope]] as (string | undefined)[];
      if (!tokenUrl || !clientId || !clientSecret) return undefined;
      return { kind: "oauth2", tokenUrl, clientId, clientSecret, scope };
    },
  };
  return { envShape, scheme };
}

/** One fixed secret, given in `variable`, sent as the header `headerOf` makes of it. */
export function headerCredentialScheme<V extends string>(variable: V, maxLength: number, headerOf: (secret: string) => StaticCredential) {
  const envShape = { [variable]: z.string().min(1).max(maxLength).optional() } as Record<V, z.ZodOptional<z.ZodString>>;
  const scheme: CredentialScheme = {
    kind: "header",
    variables: [variable],
    fromEnvironment(env) {
      const secret = env[variable];
      return typeof secret === "string" && secret !== "" ? headerOf(secret) : undefined;
    },
    headerOf,
  };
  return { envShape, scheme };
}

/** What the upstream configuration asks of a family: its name, its variables' prefix and its credential scheme. */
export type UpstreamFamilyConfiguration<F extends string = string> = { readonly name: F; readonly prefix: string; readonly credentials: CredentialScheme };

/** The variables shared by every upstream. */
export const upstreamEnvShape = {
  UPSTREAM_BREAKER_FAILURES: positiveInt.default(5),
  UPSTREAM_BREAKER_RESET_MS: positiveInt.default(10_000),
  UPSTREAM_MAX_RESPONSE_BYTES: positiveInt.default(1_048_576),
  UPSTREAM_CREDENTIALS_KEY: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2}){32,}$/, "must be at least 32 bytes, hex-encoded")
    .optional(),
};

type UpstreamEnv = z.output<z.ZodObject<typeof upstreamEnvShape>> & Readonly<Record<string, unknown>>;

type Issue = { path: string; message: string };

/**
 * What the schema alone cannot say: a URL for each upstream family, client credentials all or
 * none, and whose vendor account each upstream family is — one organisation's, or each one's own.
 */
export function upstreamEnvIssues(env: UpstreamEnv, families: readonly UpstreamFamilyConfiguration[]): Issue[] {
  const issues: Issue[] = [];
  for (const { prefix, credentials } of families) {
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
      for (const name of credentials.variables) {
        if (env[name] !== undefined) issues.push({ path: name, message: `contradicts ${prefix}_UPSTREAM_CREDENTIALS=per-organisation (each organisation's own credential is used)` });
      }
      if (!env.UPSTREAM_CREDENTIALS_KEY) issues.push({ path: "UPSTREAM_CREDENTIALS_KEY", message: `is required with ${prefix}_UPSTREAM_CREDENTIALS=per-organisation` });
    }
  }
  for (const { credentials } of families) {
    if (credentials.kind !== "oauth2") continue;
    // The token URL, client id and secret (not the scope): all or none.
    const parts = credentials.variables.slice(0, 3);
    const given = parts.filter((name) => env[name] !== undefined);
    if (given.length > 0 && given.length < parts.length) {
      for (const name of parts.filter((n) => env[n] === undefined)) issues.push({ path: name, message: `is required with ${given.join(", ")}` });
    }
  }
  return issues;
}

/** UPSTREAM_CREDENTIALS_KEY alone (the admin CLI seals with it): a ConfigError when unset or too short. */
export function upstreamCredentialsKey(source: Record<string, string | undefined> = process.env): Buffer {
  const env = parseEnvironment(z.object({ UPSTREAM_CREDENTIALS_KEY: upstreamEnvShape.UPSTREAM_CREDENTIALS_KEY.unwrap() }), source);
  return Buffer.from(env.UPSTREAM_CREDENTIALS_KEY, "hex");
}

/** The validated environment as each family's provider settings. */
export function upstreamSettings<F extends string>(env: UpstreamEnv, families: readonly UpstreamFamilyConfiguration<F>[]): UpstreamConfig<F> {
  const settings = ({ name: family, prefix, credentials }: UpstreamFamilyConfiguration<F>): ProviderSettings<F> => {
    const baseUrl = env[`${prefix}_UPSTREAM_URL`] as string | undefined;
    const organisation = env[`${prefix}_UPSTREAM_ORGANISATION`] as string | undefined;
    if (env[`${prefix}_PROVIDER`] === "local" || !baseUrl) return { provider: "local" };
    const account: UpstreamAccount =
      organisation === undefined ? { kind: "per-organisation" } : { kind: "organisation", orgId: organisation, credential: credentials.fromEnvironment(env) };
    return {
      provider: "upstream",
      family,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      timeoutMs: env[`${prefix}_UPSTREAM_TIMEOUT_MS`] as number | undefined,
      retries: env[`${prefix}_UPSTREAM_RETRIES`] as number,
      connections: env[`${prefix}_UPSTREAM_CONNECTIONS`] as number,
      account,
    };
  };
  return {
    families: Object.fromEntries(families.map((family) => [family.name, settings(family)])) as Record<F, ProviderSettings<F>>,
    breakerFailures: env.UPSTREAM_BREAKER_FAILURES,
    breakerResetMs: env.UPSTREAM_BREAKER_RESET_MS,
    maxResponseBytes: env.UPSTREAM_MAX_RESPONSE_BYTES,
    credentialsKey: env.UPSTREAM_CREDENTIALS_KEY ? Buffer.from(env.UPSTREAM_CREDENTIALS_KEY, "hex") : undefined,
  };
}
