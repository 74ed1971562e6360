import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInsightsClient, isStreamBody } from "../src/client.js";

/** The client against a real HTTP server that records what arrives and answers as the BFF would. */

type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    const now = new Date().toISOString();
    res.writeHead(202, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: "4f8a4f3c-1b1e-4a57-9a43-2f7c5f0a0d11",
        dataset: "scores",
        format: "ndjson",
        state: "queued",
        failure: null,
        error: null,
        rows: { read: 0, imported: 0, unchanged: 0, rejected: 0 },
        rowsPerSecond: 0,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
      }),
    );
  });
});
let baseUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const lines = ['{"externalId":"CUST-1","scoringType":"gaugeMetric","scoringValue":1}\n', '{"externalId":"CUST-2","scoringType":"gaugeMetric","scoringValue":2}\n'];

describe("the client's streamed bodies", () => {
  it("tells a stream from any other body", () => {
    expect(isStreamBody(Readable.from(lines))).toBe(true);
    expect(isStreamBody(new ReadableStream())).toBe(true);
    expect(isStreamBody({ a: 1 })).toBe(false);
    expect(isStreamBody("text")).toBe(false);
    expect(isStreamBody([1, 2])).toBe(false);
  });

  it.each([
    ["a Node Readable", () => Readable.from(lines.map((l) => Buffer.from(l)))],
    ["a web ReadableStream", () => Readable.toWeb(Readable.from(lines.map((l) => Buffer.from(l))))],
  ])("sends %s as the raw body, as octet-stream, with the token", async (_name, body) => {
    received.length = 0;
    const client = createInsightsClient({ baseUrl, token: "t0ken" });
    const response = await client.imports.createImport({ query: { dataset: "scores", format: "ndjson" }, body: body() });
    expect(response.status).toBe(202);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: "POST", url: "/admin/v1/imports?dataset=scores&format=ndjson", body: lines.join("") });
    expect(request?.headers["content-type"]).toBe("application/octet-stream");
    expect(request?.headers.authorization).toBe("Bearer t0ken");
  });
});
