import cors from "cors";
import type { RequestHandler } from "express";
import helmet from "helmet";

/** Security headers for a JSON API; the CSP lets a response load nothing but same-origin resources. */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: "same-origin" },
    }),
    // Customer data must never sit in a shared or browser cache.
    (_req, res, next) => {
      res.setHeader("cache-control", "no-store");
      next();
    },
  ];
}

/**
 * CORS for the configured origins only; no origin list means no cross-origin browser access.
 * Browsers may read our request id, the families' own response headers, and the rate-limit ones.
 */
export function corsFor(origins: string[], familyHeaders: readonly string[]): RequestHandler {
  return cors({
    origin: origins.length === 0 ? false : origins,
    exposedHeaders: ["x-request-id", ...familyHeaders, "retry-after", "ratelimit", "ratelimit-policy"],
    maxAge: 600,
  });
}
