import { hash } from "node:crypto";
import type { Express, Request, Response } from "express";
import type { RouteIndex } from "./route-index.js";

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

/** A weak entity tag of a body, as Express's default (the `etag` package) makes it: its length and SHA-1. */
export function weakEntityTag(body: string | Buffer): string {
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  // crypto.hash: one call, no Hash object (for bodies of a few KiB, the object was half the cost).
  return `W/"${length.toString(16)}-${hash("sha1", body, "base64").substring(0, 27)}"`;
}

/**
 * Entity tags and conditional GET for the routes whose contract can answer 304 (the mobile
 * overviews), and for no other: the vendor families document no ETag, so their answers carry
 * none and cost no hash (Express's own app-wide tags are off: app.ts). A 2xx body gets a weak tag
 * (weak because the body's bytes vary with its content coding), and If-None-Match is evaluated
 * against it as RFC 9110 §13.2 has the origin do it, whatever the request's Cache-Control says.
 * (Express's own `req.fresh` answers "stale" whenever the request carries `Cache-Control:
 * no-cache` — which fetch() adds to every request with If-None-Match — so a browser app would
 * never see its 304.)
 *
 * Installed on the app's request and response prototypes (`app.request.fresh`,
 * `app.response.send`), not on each request: see installJsonCompression for what a per-request
 * assignment cost.
 */
export function installConditionalGet(app: Express, routes: RouteIndex): void {
  const send = app.response.send as (body?: unknown) => Response;
  app.response.send = function taggedSend(this: Response, body?: unknown) {
    if (this.statusCode >= 200 && this.statusCode < 300 && (typeof body === "string" || Buffer.isBuffer(body)) && routes.isRevalidated(this.req) && !this.get("etag")) {
      this.setHeader("etag", weakEntityTag(body));
    }
    return send.call(this, body);
  } as Response["send"];
  const expressFresh = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(app.request) as object, "fresh")?.get;
  if (!expressFresh) throw new Error("Express's request has no `fresh` getter to extend");
  Object.defineProperty(app.request, "fresh", {
    configurable: true,
    get(this: Request): boolean {
      if (!routes.isRevalidated(this)) return expressFresh.call(this) as boolean;
      const ifNoneMatch = this.get("if-none-match");
      if (!ifNoneMatch || (this.method !== "GET" && this.method !== "HEAD")) return false;
      const res = this.res!;
      const etag = res.get("etag");
      const ok = (res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 304;
      return ok && typeof etag === "string" && ifNoneMatchMatches(ifNoneMatch, etag);
    },
  });
}
