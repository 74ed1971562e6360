import { apiContract } from "@insights/contracts";
import type { Store } from "@insights/store";
import express, { type Express } from "express";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { families, type DialectSettings, type Family, type FamilyDependencies, type UpstreamFamily } from "./families/index.js";
import type { Lifecycle } from "./lifecycle.js";
import { importsHandlers } from "./imports/handlers.js";
import { createImportService, type ImportService } from "./imports/import-service.js";
import { mobileHandlers } from "./mobile/handlers.js";
import { sectionProviders, type SectionProviders } from "./mobile/sections.js";
import { upstreamAsk } from "./mobile/upstream-sections.js";
import type { TokenVerifier } from "./platform/auth/token-verifier.js";
import { accessLog } from "./platform/http/access-log.js";
import { API_REFERENCE_ASSETS_PATH, apiReferenceAssets } from "./platform/http/api-reference.js";
import { jsonBody } from "./platform/http/body-parsing.js";
import { installConditionalGet } from "./platform/http/conditional-get.js";
import { policyEnforcer } from "./platform/http/enforce-policy.js";
import { renderErrors, unmatchedRoute } from "./platform/http/error-pipeline.js";
import { familyDialects, type FamilyDialects } from "./platform/http/family-dialect.js";
import { installJsonCompression } from "./platform/http/json-compression.js";
import { addressRateLimiter, callerRateLimiter, type RateLimitStores } from "./platform/http/rate-limit.js";
import { requestState } from "./platform/http/request-state.js";
import { buildRouteIndex } from "./platform/http/route-index.js";
import { corsFor, securityHeaders } from "./platform/http/security.js";
import { mountContract, type RouterHandlers } from "./platform/http/ts-rest-adapter.js";
import { metricsReport, requestMetrics } from "./platform/metrics/metrics-http.js";
import { createMetrics, type Metrics } from "./platform/metrics/metrics.js";
import { forwardingHandlers } from "./platform/upstream/forwarding.js";
import { createUpstreams, type Upstreams } from "./platform/upstream/upstreams.js";
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
export function appDialects(config: DialectSettings): FamilyDialects {
  return familyDialects([...families.map((family) => family.dialect(config)), ownApiDialect]);
}

type ApiHandlers = RouterHandlers<typeof apiContract>;

/** Builds the Express app; it does not listen (see server.ts). */
export function createApp(deps: AppDependencies): Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable("x-powered-by");
  // Entity tags only where a contract documents them (platform/http/conditional-get.ts).
  app.set("etag", false);
  app.set("trust proxy", deps.config.trustProxyHops);
  // Repeated keys become arrays (customerId=A&customerId=B); no nested objects from brackets.
  app.set("query parser", "simple");

  const routes = buildRouteIndex([{ contract: apiContract }]);
  const dialects = appDialects(deps.config);
  const metrics = deps.metrics ?? createMetrics();
  const upstreams = deps.upstreams ?? createUpstreams(deps.config.upstream, families, { metrics, logger: deps.logger, store: deps.store });
  const familyDeps: FamilyDependencies = { store: deps.store, settings: deps.config, now };
  /** A family's handlers: forwarded to its upstream vendor when it has one, else the local ones. */
  const provided = (family: Family) => {
    const upstream = upstreams.of(family.name);
    return upstream ? forwardingHandlers(family.contract, upstream, deps.config.requestTimeoutMs) : family.handlers(familyDeps);
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
      ...familyHandlers(provided),
      mobile: mobileHandlers({
        store: deps.store,
        sections: overviewSections(deps, familyDeps, upstreams),
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

/** Each family's routes under its key of `apiContract`. */
function familyHandlers(provided: (family: Family) => RouterHandlers<Family["contract"]>): Pick<ApiHandlers, UpstreamFamily> {
  const handlers: Record<string, unknown> = {};
  for (const family of families) {
    if (!Object.hasOwn(apiContract, family.name)) throw new Error(`apiContract has no ${family.name} routes`);
    handlers[family.name] = provided(family);
  }
  return handlers as Pick<ApiHandlers, UpstreamFamily>;
}

function overviewSections(deps: AppDependencies, familyDeps: FamilyDependencies, upstreams: Upstreams): SectionProviders {
  // The families answered by an upstream vendor answer their sections through it too.
  const defaults = sectionProviders(
    families.map((family) => {
      const upstream = upstreams.of(family.name);
      const provider = upstream ? family.section.upstream(upstreamAsk(upstream, deps.config.mobile.sectionTimeoutMs), deps.config) : family.section.local(familyDeps);
      return { name: family.section.name, provider };
    }),
  );
  return deps.mobileSections ? deps.mobileSections(defaults) : defaults;
}
