import { apiContract } from "@insights/contracts";
import type { Store } from "@insights/store";
import compression from "compression";
import express, { type Express } from "express";
import type { Logger } from "pino";
import type { TokenVerifier } from "./auth/token-verifier.js";
import type { Config } from "./config.js";
import { accessLog } from "./http/access-log.js";
import { jsonBody } from "./http/body-parsing.js";
import { familyDialects, type FamilyDialects } from "./http/family-dialect.js";
import { API_REFERENCE_ASSETS_PATH, apiReferenceAssets } from "./http/api-reference.js";
import { conditionalGet } from "./http/conditional-get.js";
import { policyEnforcer } from "./http/enforce-policy.js";
import { renderErrors, unmatchedRoute } from "./http/error-pipeline.js";
import { addressRateLimiter, callerRateLimiter, type RateLimitStores } from "./http/rate-limit.js";
import { requestState } from "./http/request-state.js";
import { buildRouteIndex } from "./http/route-index.js";
import { corsFor, securityHeaders } from "./http/security.js";
import { mountContract } from "./http/ts-rest-adapter.js";
import type { Lifecycle } from "./lifecycle.js";
import { categoriesDialect } from "./categories/dialect.js";
import { categoriesHandlers } from "./categories/handlers.js";
import { importsHandlers } from "./imports/handlers.js";
import { createImportService, type ImportService } from "./imports/import-service.js";
import { mobileHandlers } from "./mobile/handlers.js";
import { defaultSectionProviders, type SectionProviders } from "./mobile/sections.js";
import { profilesDialect } from "./profiles/dialect.js";
import { profilesHandlers } from "./profiles/handlers.js";
import { scoringDialect } from "./scoring/dialect.js";
import { scoringHandlers } from "./scoring/handlers.js";
import { segmentsDialect } from "./segments/dialect.js";
import { segmentsHandlers } from "./segments/handlers.js";
import { ownApiDialect } from "./system/dialect.js";
import { systemHandlers } from "./system/handlers.js";

export type AppDependencies = {
  config: Pick<Config, "bodyLimit" | "corsOrigins" | "rateLimit" | "trustProxyHops" | "profilesErrorHttpStatus" | "scoring" | "segments" | "mobile" | "dataDir">;
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
  app.set("trust proxy", deps.config.trustProxyHops);
  // Repeated keys become arrays (customerId=A&customerId=B); no nested objects from brackets.
  app.set("query parser", "simple");

  const routes = buildRouteIndex([{ contract: apiContract }]);
  const dialects = appDialects(deps.config);
  const { max, addressMax, windowMs } = deps.config.rateLimit;
  const rateLimits = { max, addressMax, windowMs, ...(deps.rateLimitStores ? { stores: deps.rateLimitStores } : {}) };
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
  // What the family's answers carry beside the request id (a transaction id), the access line carries too.
  app.use(accessLog(deps.logger, (state) => dialects.of(state.family).logFields?.(state)));
  app.use(addressRateLimiter(rateLimits, routes));
  app.use(jsonBody(deps.config.bodyLimit, dialects, (req) => routes.isStreamed(req)));
  // The mobile API's answers are compressed (br or gzip) when the client accepts it, and revalidated by ETag.
  app.use("/mobile/v1", compression(), conditionalGet());
  // The API reference page's scripts and styles (the page itself, /docs, is a contract route).
  app.use(API_REFERENCE_ASSETS_PATH, apiReferenceAssets());

  mountContract(
    app,
    apiContract,
    {
      system: systemHandlers(deps.store, deps.lifecycle),
      scoring: scoringHandlers(deps.store, deps.config.scoring),
      segments: segmentsHandlers(deps.store, deps.config.segments, now),
      categories: categoriesHandlers(deps.store),
      profiles: profilesHandlers(deps.store),
      mobile: mobileHandlers({
        store: deps.store,
        sections: sectionProviders(deps),
        sectionTimeoutMs: deps.config.mobile.sectionTimeoutMs,
        logger: deps.logger,
        now,
      }),
      imports: importsHandlers(
        deps.store,
        deps.imports ?? createImportService({ store: deps.store, logger: deps.logger, dataDir: deps.config.dataDir, queue: undefined }),
        now,
      ),
    },
    { enforcePolicy },
  );

  app.use(unmatchedRoute(routes));
  app.use(renderErrors(dialects, deps.logger, now));
  return app;
}

function sectionProviders(deps: AppDependencies): SectionProviders {
  const defaults = defaultSectionProviders({ store: deps.store, scoring: deps.config.scoring });
  return deps.mobileSections ? deps.mobileSections(defaults) : defaults;
}
