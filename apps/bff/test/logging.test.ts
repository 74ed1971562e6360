import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLogDestination } from "@insights/config/testing";
import { createLogger } from "../src/logger.js";
import { send, startTestApp, type TestApp } from "./support/harness.js";

describe("request logs", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("log every request with its id, and never credentials or personal data", async () => {
    const token = await app.token({ scopes: ["x"], phoneNumber: "+34600000001" });
    const r = await send(`${app.url}/camara/customerinsights/scoring/nothing?phone=%2B34600000001`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, key: "demo-telco-profile-key", "content-type": "application/json" },
      body: JSON.stringify({ phoneNumber: "+34600000001", idDocument: "87654321X", cardNumber: "4969452123456110" }),
    });
    const requestId = r.headers.get("x-request-id");
    const raw = app.rawLogs();
    expect(raw).toContain(requestId);
    for (const secret of [token, "demo-telco-profile-key", "+34600000001", "34600000001", "87654321X", "4969452123456110"]) {
      expect(raw).not.toContain(secret);
    }
  });
});

describe("logger", () => {
  it("masks phone and card numbers that reach a message", () => {
    const lines: string[] = [];
    const logger = createLogger("info", runLogDestination("logging.test", (l) => void lines.push(l)));
    logger.info("lookup for +34600000001 with card 4969 4521 2345 6110");
    logger.info({ phoneNumber: "+34600000001", nested: { cardNumber: "4969452123456110" } }, "fields");
    logger.error({ err: Object.assign(new Error("duplicate +34600000001"), { detail: "Key (value)=(+34600000001)" }) }, "db");
    const raw = lines.join("");
    expect(raw).not.toMatch(/34600000001|4969/);
    expect(raw).toContain("[REDACTED]");
  });
});
