import { apiContract } from "@insights/contracts";
import { categoriesContract } from "@insights/contracts/categories";
import { profilesContract } from "@insights/contracts/profiles";
import { scoringContract } from "@insights/contracts/scoring";
import { segmentsContract } from "@insights/contracts/segments";
import type { AppRouter } from "@ts-rest/core";
import type { Store } from "@insights/store";
import express, { type Express } from "express";
import type { Logger } from "pino";
import type { TokenVerifier } from "./auth/token-verifier.js";
import type { Config } from "./config.js";
import { accessLog } from "./http/access-log.js";
import { jsonBody } from "./http/body-parsing.js";
import { installJsonCompression } from "./http/json-compression.js";
import { familyDialects, type FamilyDialects } from "./http/family-dialect.js";
import { API_REFERENCE_ASSETS_PATH, apiReferenceAssets } from "./http/api-reference.js";
import { installConditionalGet } from "./http/conditional-get.js";
import { policyEnforcer } from "./http/enforce-policy.js";
import { renderErrors, unmatchedRoute } from "./http/error-pipeline.js";
import { addressRateLimiter, callerRateLimiter, type RateLimitStores } from "./http/rate-limit.js";
import { requestState } from "./http/request-state.js";
import { buildRouteIndex } from "./http/route-index.js";
import { corsFor, securityHeaders } from "./http/security.js";
import { mountContract, type RouterHandlers } from "./http/ts-rest-adapter.js";
import { metricsReport, requestMetrics } from "./metrics/metrics-http.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import type { UpstreamFamily } from "./upstream/config.js";
import { forwardingHandlers } from "./upstream/forwarding.js";
import { createUpstreams, type Upstreams } from "./upstream/upstreams.js";
import type { Lifecycle } from "./lifecycle.js";
import { categoriesDialect } from "./categories/dialect.js";
import { categoriesHandlers } from "./categories/handlers.js";
import { importsHandlers } from "./imports/handlers.js";
import { createImportService, type ImportService } from "./imports/import-service.js";
import { mobileHandlers } from "./mobile/handlers.js";
import { defaultSectionProviders, type SectionProviders } from "./mobile/sections.js";
import { upstreamSectionProviders } from "./mobile/upstream-sections.js";
import { profilesDialect } from "./profiles/dialect.js";
import { profilesHandlers } from "./profiles/handlers.js";
import { scoringDialect } from "./scoring/dialect.js";
import { scoringHandlers } from "./scoring/handlers.js";
import { segmentsDialect } from "./segments/dialect.js";
import { segmentsHandlers } from "./segments/handlers.js";
import { ownApiDialect } from "./system/dialect.js";
import { systemHandlers } from "./system/handlers.js";

export type AppDependencies = {
  config: Pick<
    Config,
    "bodyLimit" | "corsOrigins" | "rateLimit" | "trustProxyHops" | "profilesErrorHttpStatus" | "scoring" | "segments" | "mobile" | "dataDir" | "importLimits" | "requestTimeoutMs" | "metricsToken" | "upstream"
  >;
  store: Store;
  verifyToken: TokenVerifier;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Shared rate-limit counters (Redis); in-memory when absent. */
  rateLimitStores?: RateLimitStores;
  /** Runs admin-API imports; without one, imports run in this process on `store` (staged under dataDir). */
  imports?: ImportService;
  now?: () => Date;
  /** The mobile overview's section providers, from the defaults (tests make one fail or stall here). */
  mobileSections?: (defaults: SectionProviders) => SectionProviders;
  /** The app's metrics; a fresh registry when absent. */
  metrics?: Metrics;
  /** The upstream vendors of the families whose provider is `upstream`; built from config.upstream when absent. */
  upstreams?: Upstreams;
};

/** Each family's wire dialect, as configured: what the shared HTTP layer asks the family of a request. */
export function appDialects(config: Pick<Config, "profilesErrorHttpStatus">): FamilyDialects {
  return familyDialects([scoringDialect, segmentsDialect, categoriesDialect, profilesDialect(config.profilesErrorHttpStatus), ownApiDialect]);
}

/** Builds the Express app; it does not listen (see server.ts). */
export function createApp(deps: AppDependencies): Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable("x-powered-by");
  // Entity tags only where a contract documents them (http/conditional-get.ts).
  app.set("etag", false);
  app.set("trust proxy", deps.config.trustProxyHops);
  // Repeated keys become arrays (customerId=A&customerId=B); no nested objects from brackets.
  app.set("query parser", "simple");

  const routes = buildRouteIndex([{ contract: apiContract }]);
  const dialects = appDialects(deps.config);
  const metrics = deps.metrics ?? createMetrics();
  const upstreams = deps.upstreams ?? createUpstreams(deps.config.upstream, { metrics, logger: deps.logger, store: deps.store });
  /** A family's handlers: forwarded to its upstream vendor when it has one, else the local ones. */
  const provided = <T extends AppRouter>(family: UpstreamFamily, contract: T, local: () => RouterHandlers<T>): RouterHandlers<T> => {
    const upstream = upstreams.of(family);
    return upstream ? forwardingHandlers(contract, upstream, deps.config.requestTimeoutMs) : local();
  };
  const { max, addressMax, windowMs } = deps.config.rateLimit;
  const rateLimits = {
    max,
    addressMax,
    windowMs,
    onLimited: (scope: "address" | "caller") => metrics.rateLimited.inc({ scope }),
    ...(deps.rateLimitStores ? { stores: deps.rateLimitStores } : {}),
  };
  const enforcePolicy = policyEnforcer(
    {
      verifyToken: deps.verifyToken,
      authenticateApiKey: (key) => deps.store.authenticateApiKey(key),
    },
    callerRateLimiter(rateLimits),
  );

  app.use(securityHeaders());
  app.use(corsFor(deps.config.corsOrigins, dialects.exposedHeaders));
  app.use(requestState(dialects));
  app.use(requestMetrics(metrics));
  // What the family's answers carry beside the request id (a transaction id), the access line carries too.
  app.use(accessLog(deps.logger, (state) => dialects.of(state.family).logFields?.(state)));
  app.use(addressRateLimiter(rateLimits, routes));
  app.use(jsonBody(deps.config.bodyLimit, dialects, (req) => routes.isStreamed(req)));
  // The mobile API's answers are compressed (br or gzip) when the client accepts it; the routes
  // that can answer 304 are revalidated by ETag. (Both extend the app's response, not a middleware.)
  installJsonCompression(app, (req) => req.path === "/mobile/v1" || req.path.startsWith("/mobile/v1/"));
  installConditionalGet(app, routes);
  // The API reference page's scripts and styles (the page itself, /docs, is a contract route).
  app.use(API_REFERENCE_ASSETS_PATH, apiReferenceAssets());

  mountContract(
    app,
    apiContract,
    {
      system: systemHandlers(deps.store, deps.lifecycle, { metrics: metricsReport(metrics, deps.config.metricsToken), upstreamStates: () => upstreams.states() }),
      scoring: provided("scoring", scoringContract, () => scoringHandlers(deps.store, deps.config.scoring)),
      segments: provided("segments", segmentsContract, () => segmentsHandlers(deps.store, deps.config.segments, now)),
      categories: provided("categories", categoriesContract, () => categoriesHandlers(deps.store)),
      profiles: provided("profiles", profilesContract, () => profilesHandlers(deps.store)),
      mobile: mobileHandlers({
        store: deps.store,
        sections: sectionProviders(deps, upstreams),
        sectionTimeoutMs: deps.config.mobile.sectionTimeoutMs,
        logger: deps.logger,
        now,
      }),
      imports: importsHandlers(
        deps.store,
        deps.imports ?? createImportService({ store: deps.store, logger: deps.logger, dataDir: deps.config.dataDir, queue: undefined, limits: deps.config.importLimits }),
        now,
      ),
    },
    { enforcePolicy },
  );

  app.use(unmatchedRoute(routes));
  app.use(renderErrors(dialects, deps.logger, now));
  return app;
}

function sectionProviders(deps: AppDependencies, upstreams: Upstreams): SectionProviders {
  const local = defaultSectionProviders({ store: deps.store, scoring: deps.config.scoring });
  // The families answered by an upstream vendor answer their sections through it too.
  const defaults = upstreamSectionProviders(local, {
    upstreams,
    sectionTimeoutMs: deps.config.mobile.sectionTimeoutMs,
    scales: deps.config.scoring.scales,
    segmentsChannel: deps.config.upstream.segmentsChannel,
  });
  return deps.mobileSections ? deps.mobileSections(defaults) : defaults;
}
