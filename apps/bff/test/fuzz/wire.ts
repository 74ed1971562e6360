import { Agent, request, type IncomingMessage } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

/**
 * One fuzz request, as it goes on the wire: raw header lines (duplicates and any name allowed),
 * a path and query as raw text (so malformed percent-encoding gets through), a body as bytes.
 */
export type WireRequest = {
  method: string;
  /** Path and query, exactly as sent. */
  target: string;
  headers: [name: string, value: string][];
  body: Buffer | undefined;
  /** Send the body as chunks, without Content-Length. */
  chunked: boolean;
};

export type WireResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
};

/** Longest request target sent: beyond Node's 16 KiB header limit the server answers 431 itself. */
export const MAX_TARGET_LENGTH = 6_000;
/** Longest value of one header sent, for the same reason. */
export const MAX_HEADER_VALUE_LENGTH = 2_000;

const REQUEST_TIMEOUT_MS = 15_000;

/** A keep-alive client for one app: the fuzz suite sends thousands of requests per route. */
export function wireClient(baseUrl: string, maxSockets = 4) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(req: WireRequest): Promise<WireResponse> {
      const headers: string[] = ["host", url.host];
      for (const [name, value] of req.headers) headers.push(name, value);
      if (req.body !== undefined && !req.chunked) headers.push("content-length", String(req.body.length));
      if (req.body !== undefined && req.chunked) headers.push("transfer-encoding", "chunked");
      return new Promise((resolve, reject) => {
        const outgoing = request({ host: url.hostname, port: url.port, method: req.method, path: req.target, headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: decoded(res, Buffer.concat(chunks)) }));
          res.on("error", reject);
        });
        outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
        outgoing.on("error", reject);
        if (req.body !== undefined && req.chunked) {
          const half = Math.floor(req.body.length / 2);
          outgoing.write(req.body.subarray(0, half));
          outgoing.end(req.body.subarray(half));
        } else {
          outgoing.end(req.body);
        }
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** The body's text, its Content-Encoding (a mutation may send Accept-Encoding) undone. */
function decoded(res: IncomingMessage, raw: Buffer): string {
  const encoding = res.headers["content-encoding"];
  if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
  if (encoding === "br") return brotliDecompressSync(raw).toString("utf8");
  return raw.toString("utf8");
}

/** What a failure report shows of a request: enough to replay it with curl. */
export function describeRequest(req: WireRequest): string {
  const body = req.body === undefined ? "" : `\n\n${preview(req.body.toString("utf8"))}`;
  return `${req.method} ${preview(req.target)}${req.chunked ? " (chunked)" : ""}\n${req.headers.map(([n, v]) => `${n}: ${preview(v)}`).join("\n")}${body}`;
}

export function preview(text: string, max = 300): string {
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text).slice(1, -1);
  return text.length > max ? `${shown} (${text.length} chars)` : shown;
}
