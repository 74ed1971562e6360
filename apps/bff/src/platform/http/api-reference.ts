import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RequestHandler } from "express";
import { compress, negotiateContentCoding } from "./content-encoding.js";

/**
 * The API reference page: Swagger UI from the `swagger-ui-dist` package (no CDN), over
 * /openapi.json. It runs under the BFF's own CSP (script-src 'self', no inline script): the
 * page loads the bundle and a start-up script, both served from here.
 */

const distDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The only files of the package the page needs; nothing else of node_modules is reachable. */
const packageAssets = new Map([
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
  ["favicon-32x32.png", "image/png"],
]);

const ASSETS = "/docs/assets";

const startScript = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
`;

export const apiReferencePage = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Insights BFF — API reference</title>
    <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${ASSETS}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS}/start.js"></script>
  </body>
</html>
`;

/**
 * Serves the page's scripts and styles: each file read and compressed (br, gzip) once, on first
 * request, then answered from memory. They hold no customer data, so browsers may keep them.
 */
export function apiReferenceAssets(): RequestHandler {
  const cache = new Map<string, Promise<Buffer>>();
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const name = req.path.slice(1);
    const type = name === "start.js" ? "text/javascript; charset=utf-8" : packageAssets.get(name);
    if (type === undefined) return next();
    const compressible = !type.startsWith("image/");
    const coding = compressible ? negotiateContentCoding(req) : undefined;
    const key = `${coding ?? "identity"}:${name}`;
    let content = cache.get(key);
    if (!content) {
      content = (name === "start.js" ? Promise.resolve(Buffer.from(startScript)) : readFile(join(distDir, name))).then((plain) =>
        // Off the event loop (zlib's thread pool): the bundle is 1.7 MB.
        coding ? compress(plain, coding, "best") : plain,
      );
      // A failure is not remembered: the next request tries again.
      content.catch(() => cache.delete(key));
      cache.set(key, content);
    }
    content.then((body) => {
      res.setHeader("content-type", type);
      res.setHeader("cache-control", "public, max-age=3600");
      if (compressible) res.setHeader("vary", "Accept-Encoding");
      if (coding) res.setHeader("content-encoding", coding);
      res.setHeader("content-length", body.length);
      res.end(req.method === "HEAD" ? undefined : body);
    }, next);
  };
}

export const API_REFERENCE_ASSETS_PATH = ASSETS;
