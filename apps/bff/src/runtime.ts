import { storeConfig } from "@insights/config";
import { openConfiguredStore, type Store } from "@insights/store";
import type { Logger } from "pino";
import { loadOrCreateDevelopmentKeys } from "./platform/auth/development-keys.js";
import { createTokenVerifier, type TokenVerifier } from "./platform/auth/token-verifier.js";
import type { Config } from "./config.js";
import type { RateLimitStores } from "./platform/http/rate-limit.js";
import { connectRedisRateLimitStores } from "./platform/http/rate-limit-store.js";
import { countIgnoredStoreNotification, observeStoreQuery } from "./platform/metrics/metrics.js";
import { createImportService, type ImportService } from "./imports/import-service.js";
import { prefixOf, upstreamFamilies } from "./families/index.js";

/** Everything the app needs that outlives a request, opened from configuration. */
export type Runtime = {
  store: Store;
  verifyToken: TokenVerifier;
  rateLimitStores: RateLimitStores | undefined;
  imports: ImportService;
  /** Releases, in order, what open() acquired. */
  release: (() => Promise<void>)[];
  demoDataLoaded: boolean;
};

/** An upstream family whose vendor account names an organisation the store lacks would serve no one: refused at start. */
async function refuseUnknownVendorAccountOrganisations(config: Config, store: Store): Promise<void> {
  for (const family of upstreamFamilies) {
    const settings = config.upstream.families[family];
    if (settings.provider !== "upstream" || settings.account.kind !== "organisation") continue;
    if (!(await store.organisationExists(settings.account.orgId))) {
      throw new Error(
        `${prefixOf[family]}_UPSTREAM_ORGANISATION names no organisation of the store ("${settings.account.orgId}"): create it (npm run admin -- org create) or correct the variable`,
      );
    }
  }
}

export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  if (config.production && config.auth.mode === "development") {
    throw new Error("the development signing key is refused in production: set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE");
  }
  const store = await openConfiguredStore({
    ...storeConfig(config),
    readCache: config.readCache,
    // Every query the store runs (a cached read runs none) is timed into /metrics.
    observeQuery: (kind, seconds) => observeStoreQuery(seconds, kind),
    onIgnoredChange: countIgnoredStoreNotification,
    onPoolError: (error) => logger.warn({ err: error }, "idle database connection failed"),
  });
  const release: (() => Promise<void>)[] = [() => store.close()];
  try {
    const demoDataLoaded = config.loadDemoData ? await store.loadDemoDataIfEmpty() : false;
    await refuseUnknownVendorAccountOrganisations(config, store);

    const auth = config.auth;
    const keys = auth.mode === "jwks" ? { jwksUrl: auth.jwksUrl } : { jwks: [(await loadOrCreateDevelopmentKeys(config.dataDir)).publicJwk] };
    const { issuer, audience, algorithms, requireTyp, maxLifetimeSeconds } = auth;
    const verifyToken = createTokenVerifier({ issuer, audience, algorithms, requireTyp, maxLifetimeSeconds, keys });

    let rateLimitStores: RateLimitStores | undefined;
    if (config.rateLimit.redisUrl) {
      const shared = await connectRedisRateLimitStores(config.rateLimit.redisUrl);
      rateLimitStores = shared.stores;
      release.unshift(() => shared.close());
    }
    const imports = createImportService({
      store,
      logger,
      dataDir: config.dataDir,
      queue: config.database.url ? { connectionString: config.database.url, ...config.importQueue } : undefined,
      limits: config.importLimits,
    });
    release.unshift(() => imports.close());
    return { store, verifyToken, rateLimitStores, imports, release, demoDataLoaded };
  } catch (error) {
    for (const r of release) await r().catch(() => undefined);
    throw error;
  }
}
