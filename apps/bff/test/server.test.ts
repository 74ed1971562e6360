import { IncomingMessage, ServerResponse } from "node:http";
import express from "express";
import { afterAll, describe, expect, it } from "vitest";
import { listen, type RunningServer } from "../src/server.js";

describe("listen", () => {
  const app = express();
  app.use(express.json());
  app.post("/echo", (req, res) => res.json({ body: req.body as unknown, ip: req.ip, path: req.path }));
  // What the app installs on its response prototype before listening (as the BFF's compression does) still applies.
  const json = app.response.json;
  app.response.json = function stamped(this: typeof app.response, body: unknown) {
    this.setHeader("x-stamped", "yes");
    return json.call(this, body);
  };
  let running: RunningServer | undefined;
  afterAll(() => new Promise<void>((resolve) => (running ? running.server.close(() => resolve()) : resolve())));

  it("builds requests and responses on the app's own prototypes, before Express sees them, and they still behave as Node's", async () => {
    running = await listen(app, "127.0.0.1", 0);
    const built: boolean[] = [];
    running.server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
      built.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response && req instanceof IncomingMessage && res instanceof ServerResponse);
    });
    // Several requests, so a kept-alive connection's later requests are covered too.
    for (const n of [1, 2, 3]) {
      const response = await fetch(`${running.url}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("x-stamped")).toBe("yes");
      expect(await response.json()).toEqual({ body: { n }, ip: "127.0.0.1", path: "/echo" });
    }
    expect(built).toEqual([true, true, true]);
    // Listening again builds on the same classes: the app's prototypes are replaced once.
    const [request, response] = [app.request, app.response];
    const again = await listen(app, "127.0.0.1", 0);
    await new Promise<void>((resolve) => again.server.close(() => resolve()));
    expect(app.request).toBe(request);
    expect(app.response).toBe(response);
  });
});
