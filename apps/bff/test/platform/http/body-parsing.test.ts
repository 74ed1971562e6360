import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../support/harness.js";

/**
 * JSON bodies are read two ways (http/body-parsing.ts): a small, declared-length, identity-coded
 * UTF-8 body directly, any other through body-parser. Whichever way, the same bytes must get the
 * same answer. Requests are written byte by byte over a socket, to control the framing.
 */

const RETRIEVE = "/v1/customers/segments/retrieve";
const BODY = JSON.stringify({ customerId: "321116471234" });

type Framing = { contentType?: string; chunked?: boolean; parts?: number; headers?: string[] };

/** Sends one request over its own connection (the body in `parts` writes, 5 ms apart) and reads the answer. */
function raw(app: TestApp, token: string, body: Buffer, { contentType = "application/json", chunked = false, parts = 1, headers = [] }: Framing = {}) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const url = new URL(app.url);
    const socket = connect(Number(url.port), url.hostname);
    const head = [
      `POST ${RETRIEVE} HTTP/1.1`,
      `Host: ${url.host}`,
      `Authorization: Bearer ${token}`,
      "client_id: demo-mobile-app",
      "Accept: application/json",
      `uuid: ${randomUUID()}`,
      "countryCode: MX",
      "businessCode: BCNMX",
      "ChannelId: MOBILE",
      `Content-Type: ${contentType}`,
      chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`,
      "Connection: close",
      ...headers,
      "",
      "",
    ].join("\r\n");
    const received: Buffer[] = [];
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(received).toString("utf8");
      const [statusLine = "", ...rest] = text.split("\r\n");
      const answer = rest.join("\r\n").split("\r\n\r\n").slice(1).join("\r\n\r\n");
      resolve({ status: Number(statusLine.split(" ")[1]), json: JSON.parse(answer) as Record<string, unknown> });
    });
    void (async () => {
      socket.write(head);
      const size = Math.ceil(body.length / parts);
      for (let i = 0; i < body.length; i += size) {
        const piece = body.subarray(i, i + size);
        socket.write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (chunked) socket.write("0\r\n\r\n");
    })();
  });
}

/** The answer without what differs per request. */
const stable = (r: { status: number; json: Record<string, unknown> }) => {
  const { uuid: _uuid, timestamp: _timestamp, ...rest } = r.json;
  return { status: r.status, json: rest };
};

describe("JSON request bodies, read directly or by body-parser", () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { BODY_LIMIT: "40kb" } });
    token = await app.token({ scopes: [SEGMENTS_SCOPE] });
  });
  afterAll(() => app.close());

  it("answers the same bytes alike, however they are framed", async () => {
    const reference = stable(await raw(app, token, Buffer.from(BODY)));
    expect(reference).toEqual({ status: 200, json: { customer: { fullName: "Luis Diaz Salinas", customerSegment: "20", birthdayTodayFlag: expect.any(Boolean) } } });
    const variants: [string, Buffer, Framing][] = [
      ["in several writes", Buffer.from(BODY), { parts: 4 }],
      ["with a byte order mark", Buffer.from(`\uFEFF${BODY}`), {}],
      ["with charset=utf-8", Buffer.from(BODY), { contentType: "application/json; charset=utf-8" }],
      ['with charset="UTF-8"', Buffer.from(BODY), { contentType: 'application/json;charset="UTF-8"' }],
      ["with Content-Encoding: identity", Buffer.from(BODY), { headers: ["Content-Encoding: identity"] }],
      ["chunked (body-parser)", Buffer.from(BODY), { chunked: true, parts: 3 }],
      ["chunked, with a byte order mark (body-parser)", Buffer.from(`\uFEFF${BODY}`), { chunked: true }],
      ["over the direct-read size (body-parser)", Buffer.from(BODY + " ".repeat(17 * 1024)), {}],
      ["in latin1 (body-parser)", Buffer.from(BODY, "latin1"), { contentType: "application/json; charset=latin1" }],
    ];
    for (const [name, body, framing] of variants) expect(stable(await raw(app, token, body, framing)), name).toEqual(reference);
  });

  it("refuses malformed JSON alike, read directly or by body-parser", async () => {
    const malformed = Buffer.from('{"customerId": ');
    const direct = stable(await raw(app, token, malformed));
    expect(direct.status).toBe(400);
    expect(stable(await raw(app, token, malformed, { chunked: true }))).toEqual(direct);
    expect(stable(await raw(app, token, malformed, { parts: 3 }))).toEqual(direct);
  });

  it("never reads directly a body over BODY_LIMIT", async () => {
    const small = await startTestApp({ env: { BODY_LIMIT: "20b" } });
    try {
      const smallToken = await small.token({ scopes: [SEGMENTS_SCOPE] });
      expect(BODY.length).toBeGreaterThan(20);
      // Citibanamex answers a body too large as an invalid request (400), as body-parser's refusal of it.
      const declared = stable(await raw(small, smallToken, Buffer.from(BODY)));
      expect(declared).toMatchObject({ status: 400, json: { code: "invalidRequest" } });
      expect(stable(await raw(small, smallToken, Buffer.from(BODY), { chunked: true }))).toEqual(declared);
    } finally {
      await small.close();
    }
  });

  it("survives a client that leaves mid-body, and logs the request as aborted", async () => {
    const url = new URL(app.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST ${RETRIEVE} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"customerId":`);
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await expect.poll(() => app.logs.some((l) => l.msg === "request aborted"), { timeout: 2000 }).toBe(true);
    expect((await raw(app, token, Buffer.from(BODY))).status).toBe(200);
  });
});
