import cors from "cors";
import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";

/**
 * Security headers for a JSON API (helmet's), plus `Cache-Control: no-store`: customer data must
 * never sit in a shared or browser cache. The CSP lets a response load nothing but same-origin
 * resources (the API reference page's own scripts and styles).
 *
 * None of these headers depends on the request, so helmet runs once, at start-up, against a
 * response that records what it sets; each request then gets the recorded list. (Run per request,
 * helmet calls a dozen middlewares and rebuilds the CSP string every time.)
 */
export function securityHeaders(): RequestHandler {
  const headers = headersSetBy(
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
  );
  headers.push(["cache-control", "no-store"]);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** The headers a middleware sets on a response, when it sets the same ones whatever the request. */
function headersSetBy(middleware: RequestHandler): Array<[string, string]> {
  const recorded = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => recorded.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => recorded.delete(name.toLowerCase()),
  };
  let finished = false;
  void middleware({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error("The security headers middleware did not finish synchronously.");
  return [...recorded];
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
