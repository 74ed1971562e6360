import type { AddressInfo } from "node:net";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressedBodies } from "../../../src/platform/http/compressed-bodies.js";
import { compressSync, type ContentCoding } from "../../../src/platform/http/content-encoding.js";
import { installJsonCompression } from "../../../src/platform/http/json-compression.js";

/** A JSON body of about `bytes` bytes, different for each `seed`. */
const bodyOf = (seed: string, bytes = 2000) => ({ seed, filler: `${seed}-`.repeat(Math.ceil(bytes / (seed.length + 1))).slice(0, bytes) });

function get(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

const decoded = (r: { headers: Record<string, unknown>; body: Buffer }) =>
  JSON.parse((r.headers["content-encoding"] === "br" ? brotliDecompressSync(r.body) : gunzipSync(r.body)).toString("utf8")) as unknown;

describe("compressed bodies (the mobile API's compression, through a real Express app)", () => {
  const calls: ContentCoding[] = [];
  let url: string;
  let close: () => void;
  let current = bodyOf("first");

  beforeAll(async () => {
    const app = express();
    const counting = (body: Buffer, coding: ContentCoding) => {
      calls.push(coding);
      return compressSync(body, coding, "fast");
    };
    installJsonCompression(app, () => true, compressedBodies({ compress: counting, maxBytes: 64 * 1024, maxBodyBytes: 16 * 1024 }));
    app.get("/current", (_req, res) => res.json(current));
    // One entity tag for every body: what a tag collision would look like.
    app.get("/same-tag/:seed", (req, res) => res.set("etag", 'W/"one-tag"').json(bodyOf(req.params.seed)));
    app.get("/large", (_req, res) => res.json(bodyOf("large", 20 * 1024)));
    app.get("/many/:seed", (req, res) => res.json(bodyOf(req.params.seed, 8 * 1024)));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("compresses the same bytes once per coding, and sends the same compressed bytes again", async () => {
    calls.length = 0;
    const first = await get(`${url}/current`, { "accept-encoding": "br" });
    const again = await get(`${url}/current`, { "accept-encoding": "br" });
    expect(calls).toEqual(["br"]);
    expect(again.body.equals(first.body)).toBe(true);
    expect(decoded(again)).toEqual(current);
    expect(Number(again.headers["content-length"])).toBe(again.body.length);
    const gzip = await get(`${url}/current`, { "accept-encoding": "gzip" });
    expect(calls).toEqual(["br", "gzip"]);
    expect(decoded(gzip)).toEqual(current);
  });

  it("compresses a changed body afresh, never answering the old one", async () => {
    await get(`${url}/current`, { "accept-encoding": "br" });
    calls.length = 0;
    current = bodyOf("second");
    const changed = await get(`${url}/current`, { "accept-encoding": "br" });
    expect(calls).toEqual(["br"]);
    expect(decoded(changed)).toEqual(bodyOf("second"));
  });

  it("uses a kept copy only when the body is byte for byte the same, whatever the entity tag says", async () => {
    calls.length = 0;
    const a = await get(`${url}/same-tag/a`, { "accept-encoding": "br" });
    const b = await get(`${url}/same-tag/b`, { "accept-encoding": "br" });
    const aAgain = await get(`${url}/same-tag/a`, { "accept-encoding": "br" });
    expect([a, b, aAgain].map(decoded)).toEqual([bodyOf("a"), bodyOf("b"), bodyOf("a")]);
    expect(calls).toHaveLength(3);
  });

  it("keeps no body larger than its limit, and no more bytes than its bound", async () => {
    calls.length = 0;
    await get(`${url}/large`, { "accept-encoding": "br" });
    await get(`${url}/large`, { "accept-encoding": "br" });
    expect(calls).toHaveLength(2);
    // 8 bodies of 8 KB (plus their compressed copies) overflow 64 KB: the first is evicted, the last kept.
    for (let i = 0; i < 8; i++) await get(`${url}/many/${i}`, { "accept-encoding": "gzip" });
    calls.length = 0;
    await get(`${url}/many/7`, { "accept-encoding": "gzip" });
    expect(calls).toHaveLength(0);
    const evicted = await get(`${url}/many/0`, { "accept-encoding": "gzip" });
    expect(calls).toHaveLength(1);
    expect(decoded(evicted)).toEqual(bodyOf("0", 8 * 1024));
  });
});
