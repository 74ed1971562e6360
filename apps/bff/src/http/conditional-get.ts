import type { RequestHandler } from "express";

/** The opaque part of an entity tag, for weak comparison (RFC 9110 §8.8.3.2): `W/"x"` and `"x"` match. */
function opaque(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.startsWith("W/") ? trimmed.slice(2) : trimmed;
}

/** Whether an If-None-Match header matches the representation's entity tag (`*` matches any). */
export function ifNoneMatchMatches(ifNoneMatch: string, etag: string): boolean {
  const current = opaque(etag);
  return ifNoneMatch.split(",").some((candidate) => candidate.trim() === "*" || opaque(candidate) === current);
}

/**
 * Conditional GET as RFC 9110 §13.2 has the origin evaluate it: If-None-Match against the ETag
 * Express computes, whatever the request's Cache-Control says. (Express's own `req.fresh` answers
 * "stale" whenever the request carries `Cache-Control: no-cache` — which fetch() adds to every
 * request with If-None-Match — so a browser app would never see its 304.)
 */
export function conditionalGet(): RequestHandler {
  return (req, res, next) => {
    const ifNoneMatch = req.get("if-none-match");
    if (ifNoneMatch && (req.method === "GET" || req.method === "HEAD")) {
      Object.defineProperty(req, "fresh", {
        configurable: true,
        get: () => {
          const etag = res.get("etag");
          const ok = (res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 304;
          return ok && typeof etag === "string" && ifNoneMatchMatches(ifNoneMatch, etag);
        },
      });
    }
    next();
  };
}
