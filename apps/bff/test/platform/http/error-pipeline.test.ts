import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sendExact, startTestApp, type TestApp } from "../../support/harness.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { BODY_LIMIT: "1kb" } });
});
afterAll(() => app.close());

const tooLarge = JSON.stringify({ padding: "x".repeat(4096) });

/** One path under each family's prefix that no route serves, and the shape its errors must have. */
const families = [
  {
    family: "camara",
    path: "/camara/customerinsights/nothing-here",
    check(status: number, body: Record<string, unknown>, headers: Headers) {
      expect(Object.keys(body).sort()).toEqual(["code", "message", "status"]);
      expect(body.status).toBe(status);
      expect(headers.get("content-type")).toBe("application/json");
      expect(headers.get("x-correlator")).toBe("corr-42");
    },
    codes: { malformed: [400, "INVALID_ARGUMENT"], unknown: [404, "NOT_FOUND"], tooLarge: [400, "INVALID_ARGUMENT"], mediaType: [400, "INVALID_ARGUMENT"] },
    codeOf: (body: Record<string, unknown>) => body.code,
  },
  {
    family: "citibanamex",
    path: "/v1/customers/nothing-here",
    check(_status: number, body: Record<string, unknown>, headers: Headers) {
      expect(body).toMatchObject({ uuid: "0f8fad5b-d9cb-469f-a165-70867728950e" });
      expect(["error", "invalid", "fatal"]).toContain(body.type);
      expect(Date.parse(String(body.timestamp))).not.toBeNaN();
      expect(headers.get("content-type")).toBe("application/json");
    },
    codes: { malformed: [400, "invalidRequest"], unknown: [404, "resourceNotFound"], tooLarge: [400, "invalidRequest"], mediaType: [400, "invalidRequest"] },
    codeOf: (body: Record<string, unknown>) => body.code,
  },
  {
    family: "masstack",
    path: "/v4/orgs/telco/nothing-here",
    check(_status: number, body: Record<string, unknown>) {
      const error = (body.errors as { error: Record<string, unknown> }[])[0]!.error;
      expect(Object.keys(error).sort()).toEqual(["code", "message", "ref", "title"]);
    },
    codes: { malformed: [400, "MCUS.999.998"], unknown: [404, "MCUS.999.997"], tooLarge: [400, "MCUS.999.998"], mediaType: [400, "MCUS.999.998"] },
    codeOf: (body: Record<string, unknown>) => (body.errors as { error: { code: string } }[])[0]!.error.code,
  },
  {
    family: "imiconnect",
    path: "/resources/v1/nothing-here",
    check(_status: number, body: Record<string, unknown>) {
      expect(Object.keys(body).sort()).toEqual(["Description", "Status", "code", "transid"]);
      expect(body.Status).not.toBe(0);
      expect(String(body.transid)).toMatch(/^[0-9a-f-]{36}$/);
    },
    // The vendor answers errors with HTTP 200 (PROFILES_ERROR_HTTP_STATUS=vendor, the default).
    codes: { malformed: [200, "7000"], unknown: [200, "7014"], tooLarge: [200, "7000"], mediaType: [200, "7000"] },
    codeOf: (body: Record<string, unknown>) => body.code,
  },
  {
    family: "problem (own API)",
    path: "/mobile/v1/nothing-here",
    check(status: number, body: Record<string, unknown>, headers: Headers) {
      expect(body.status).toBe(status);
      expect(String(body.type)).toMatch(/^urn:insights:problem:/);
      expect(headers.get("content-type")).toBe("application/problem+json");
    },
    codes: { malformed: [400, "urn:insights:problem:invalid-argument"], unknown: [404, "urn:insights:problem:not-found"], tooLarge: [413, "urn:insights:problem:payload-too-large"], mediaType: [415, "urn:insights:problem:unsupported-media-type"] },
    codeOf: (body: Record<string, unknown>) => body.type,
  },
] as const;

const echoHeaders = { "x-correlator": "corr-42", uuid: "0f8fad5b-d9cb-469f-a165-70867728950e" };

describe.each(families)("error pipeline for $family", (f) => {
  function expectNoLeak(text: string) {
    expect(text).not.toMatch(/<html|<!DOCTYPE|at .*\.(ts|js):\d+/i);
  }

  it("answers malformed JSON in the family's format", async () => {
    const r = await send(app.url + f.path, { method: "POST", headers: { ...echoHeaders, "content-type": "application/json" }, body: '{"phoneNumber": ' });
    expect([r.status, f.codeOf(r.json)]).toEqual(f.codes.malformed);
    f.check(r.status, r.json, r.headers);
    expectNoLeak(r.text);
  });

  it("answers an unknown route in the family's format", async () => {
    const r = await send(app.url + f.path, { headers: echoHeaders });
    expect([r.status, f.codeOf(r.json)]).toEqual(f.codes.unknown);
    f.check(r.status, r.json, r.headers);
    expectNoLeak(r.text);
  });

  it("answers a body over BODY_LIMIT in the family's format", async () => {
    const r = await send(app.url + f.path, { method: "POST", headers: { ...echoHeaders, "content-type": "application/json" }, body: tooLarge });
    expect([r.status, f.codeOf(r.json)]).toEqual(f.codes.tooLarge);
    f.check(r.status, r.json, r.headers);
    expectNoLeak(r.text);
  });

  it("answers a body that is not JSON in the family's format", async () => {
    const r = await send(app.url + f.path, { method: "POST", headers: { ...echoHeaders, "content-type": "text/plain" }, body: "hello" });
    expect([r.status, f.codeOf(r.json)]).toEqual(f.codes.mediaType);
    f.check(r.status, r.json, r.headers);
  });
});

describe("a path parameter that is not valid percent-encoding", () => {
  it("is 400 in MasStack format, never 500", async () => {
    const r = await send(`${app.url}/v4/orgs/telco/customers/%E0%A4%A/categories`);
    expect(r.status).toBe(400);
    expect((r.json.errors as { error: { code: string } }[])[0]!.error.code).toBe("MCUS.999.998");
  });

  it("is 7003 in IMIconnect format", async () => {
    const r = await send(`${app.url}/resources/v1/customerprofile/%E0%A4%A`, { headers: { key: "demo-telco-profile-key" } });
    expect(r.json).toMatchObject({ Status: 1, code: "7003" });
  });
});

describe("an unknown path", () => {
  it("is a 404 that does not echo the path (found by the fuzz suite: markup came back in the detail)", async () => {
    const r = await sendExact(`${app.url}/admin/v1/imports/<html><body>hi</body></html>`, { headers: {} });
    expect(r.status).toBe(404);
    expect(r.text).not.toMatch(/<html|body>/i);
    expect(r.json.detail).not.toContain("/admin/v1/imports");
  });
});

describe("method not allowed", () => {
  it("answers 405 with Allow for a known path and another method", async () => {
    const r = await send(`${app.url}/healthz`, { method: "DELETE" });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, HEAD");
    expect(r.json).toMatchObject({ type: "urn:insights:problem:method-not-allowed", status: 405 });
  });
});

describe("x-correlator", () => {
  it("is echoed on CAMARA errors when it matches its pattern, and never when it breaks it", async () => {
    const good = await send(`${app.url}/camara/nothing`, { headers: { "x-correlator": "c-1:{x}" } });
    expect(good.headers.get("x-correlator")).toBe("c-1:{x}");
    const bad = await send(`${app.url}/camara/nothing`, { headers: { "x-correlator": "has space" } });
    expect(bad.headers.get("x-correlator")).toBeNull();
  });

  it("is not echoed by other families", async () => {
    const r = await send(`${app.url}/v4/nothing`, { headers: { "x-correlator": "abc" } });
    expect(r.headers.get("x-correlator")).toBeNull();
  });
});
