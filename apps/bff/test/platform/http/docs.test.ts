import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

describe("GET /docs (API reference page)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("serves an HTML page that loads Swagger UI from our own origin only, under the API's CSP", async () => {
    const r = await send(`${app.url}/docs`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    const sources = [...r.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source).toMatch(/^\/docs\/assets\//);
    expect(r.text).not.toMatch(/<script>(?!<)/); // no inline script: CSP would block it
  });

  it("serves each asset the page names, from the swagger-ui-dist package, compressed when accepted", async () => {
    const page = (await send(`${app.url}/docs`)).text;
    for (const [, path] of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const r = await send(`${app.url}${path!}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type"), path).toMatch(/^(text\/css|text\/javascript|image\/png)/);
    }
    for (const encoding of ["br", "gzip"]) {
      const bundle = await send(`${app.url}/docs/assets/swagger-ui-bundle.js`, { headers: { "accept-encoding": encoding } });
      expect(bundle.headers.get("content-encoding")).toBe(encoding);
      expect(bundle.headers.get("vary")).toBe("Accept-Encoding");
      expect(bundle.headers.get("cache-control")).toBe("public, max-age=3600");
      expect(bundle.text).toContain("SwaggerUIBundle"); // fetch decodes it
    }
  });

  it("serves nothing else of node_modules: an unknown asset is a 404 problem", async () => {
    for (const path of ["/docs/assets/package.json", "/docs/assets/..%2Fpackage.json", "/docs/assets/index.html"]) {
      const r = await send(`${app.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
