import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordTestSecret, runLogDestination } from "@insights/config/testing";
import { openPgliteTestStore, type TestStore } from "@insights/store/testing";
import type { RateLimitStores } from "../../src/platform/http/rate-limit.js";
import { createApp, type AppDependencies } from "../../src/app.js";
import { loadOrCreateDevelopmentKeys, type DevelopmentKeyPair } from "../../src/platform/auth/development-keys.js";
import { signDevelopmentToken, type DevelopmentTokenRequest } from "../../src/platform/auth/development-tokens.js";
import { createTokenVerifier } from "../../src/platform/auth/token-verifier.js";
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, loadConfig } from "../../src/config.js";
import { createLifecycle, type Lifecycle } from "../../src/lifecycle.js";
import { createLogger } from "../../src/logger.js";
import { listen } from "../../src/server.js";

export type TestApp = {
  url: string;
  store: TestStore;
  lifecycle: Lifecycle;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  rawLogs: () => string;
  token(request?: Partial<DevelopmentTokenRequest>): Promise<string>;
  close(): Promise<void>;
};

export type TestAppOptions = {
  env?: Record<string, string>;
  store?: TestStore;
  rateLimitStores?: RateLimitStores;
  now?: () => Date;
  mobileSections?: AppDependencies["mobileSections"];
  imports?: AppDependencies["imports"];
};

let keysPromise: Promise<{ keys: DevelopmentKeyPair; dir: string }> | undefined;

export function developmentKeys() {
  keysPromise ??= mkdtemp(join(tmpdir(), "bff-keys-")).then(async (dir) => ({ dir, keys: await loadOrCreateDevelopmentKeys(dir) }));
  return keysPromise;
}

/**
 * A token the test apps accept (and BFF processes whose DATA_DIR is `developmentKeys().dir`):
 * organisation telco, no scopes, 10 minutes, unless the request says otherwise. Listed for the
 * PII canary.
 */
export async function signTestToken(request: Partial<DevelopmentTokenRequest> = {}): Promise<string> {
  const { keys } = await developmentKeys();
  const token = await signDevelopmentToken(keys, { scopes: [], orgId: "telco", expiresInSeconds: 600, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, ...request });
  recordTestSecret("token", token, "a token the harness signed");
  return token;
}

/** The real app on a real port over a real store (PGlite with the demo data and the configured read cache, unless one is given). */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "debug", ...options.env });
  const store = options.store ?? (await openPgliteTestStore({ readCache: config.readCache }));
  const { keys } = await developmentKeys();
  const lines: string[] = [];
  // Kept for the test, and written to the run's log for the PII canary.
  const logger = createLogger(config.logLevel, runLogDestination("startTestApp", (line) => void lines.push(line)));
  const lifecycle = createLifecycle();
  const deps: AppDependencies = {
    config,
    store,
    verifyToken: createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] } }),
    logger,
    lifecycle,
    ...(options.rateLimitStores ? { rateLimitStores: options.rateLimitStores } : {}),
    ...(options.imports ? { imports: options.imports } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.mobileSections ? { mobileSections: options.mobileSections } : {}),
  };
  const { server, url } = await listen(createApp(deps), "127.0.0.1", 0);
  return {
    url,
    store,
    lifecycle,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join(""),
    token: signTestToken,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.store) await store.close();
    },
  };
}

export async function removeDevelopmentKeys() {
  if (keysPromise) await rm((await keysPromise).dir, { recursive: true, force: true });
}

/** POSTs a raw body (so malformed JSON can be sent) and returns status, headers and parsed JSON. */
export async function send(url: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const response = await fetch(url, { ...init, headers, body: body ?? null });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
}

/**
 * Like `send`, through node:http, with exactly the given headers (fetch adds `accept`,
 * `accept-language`, `user-agent`… of its own).
 */
export function sendExact(url: string, init: { method?: string; headers: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> }>((resolve, reject) => {
    const target = new URL(url);
    const headers = { ...init.headers, ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}) };
    const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: init.method ?? "GET", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") responseHeaders.set(name, value);
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, json: json as Record<string, unknown> });
      });
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
