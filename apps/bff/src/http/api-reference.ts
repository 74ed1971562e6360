import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip as gzipCallback } from "node:zlib";
import type { RequestHandler } from "express";

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

type Encoding = "br" | "gzip" | "identity";

const brotli = promisify(brotliCompress);
const gzip = promisify(gzipCallback);

/** Compressed off the event loop (zlib's thread pool): the bundle is 1.7 MB. */
async function encode(content: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === "br") return brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
  if (encoding === "gzip") return gzip(content, { level: 9 });
  return content;
}

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
    const encoding: Encoding = compressible ? ((req.acceptsEncodings("br", "gzip", "identity") || "identity") as Encoding) : "identity";
    const key = `${encoding}:${name}`;
    let content = cache.get(key);
    if (!content) {
      content = (name === "start.js" ? Promise.resolve(Buffer.from(startScript)) : readFile(join(distDir, name))).then((plain) => encode(plain, encoding));
      // A failure is not remembered: the next request tries again.
      content.catch(() => cache.delete(key));
      cache.set(key, content);
    }
    content.then((body) => {
      res.setHeader("content-type", type);
      res.setHeader("cache-control", "public, max-age=3600");
      if (compressible) res.setHeader("vary", "Accept-Encoding");
      if (encoding !== "identity") res.setHeader("content-encoding", encoding);
      res.setHeader("content-length", body.length);
      res.end(req.method === "HEAD" ? undefined : body);
    }, next);
  };
}

export const API_REFERENCE_ASSETS_PATH = ASSETS;
