import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

describe("access log", () => {
  let app: TestApp;
  let quiet: TestApp;
  beforeAll(async () => {
    [app, quiet] = await Promise.all([startTestApp({ env: { LOG_LEVEL: "info" } }), startTestApp({ env: { LOG_LEVEL: "warn" } })]);
  });
  afterAll(() => Promise.all([app.close(), quiet.close()]));

  const completed = (test: TestApp, requestId: string | null) =>
    test.logs.filter((l) => l.msg === "request completed" && (l.req as { id: string }).id === requestId);

  it("writes one line per request when it completes: id, method, path without the query, status, time", async () => {
    const r = await send(`${app.url}/resources/v1/customerprofile/4545?showinwardlinks=2`, { headers: { key: "demo-telco-profile-key" } });
    expect(r.status).toBe(200);
    const lines = completed(app, r.headers.get("x-request-id"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { method: "GET", path: "/resources/v1/customerprofile/4545" },
      res: { statusCode: 200 },
      transid: r.json.transid ?? expect.any(String),
    });
    expect(lines[0]!.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(lines[0])).not.toContain("showinwardlinks");
  });

  it("logs refusals too, at info, and a path under a mounted prefix whole", async () => {
    const r = await send(`${app.url}/mobile/v1/me`);
    expect(r.status).toBe(401);
    expect(completed(app, r.headers.get("x-request-id"))).toMatchObject([{ level: 30, req: { path: "/mobile/v1/me" }, res: { statusCode: 401 } }]);
  });

  it("writes nothing for a request when its level is disabled", async () => {
    const r = await send(`${quiet.url}/healthz`);
    expect(r.status).toBe(200);
    expect(quiet.logs.filter((l) => l.msg === "request completed")).toEqual([]);
  });
});
