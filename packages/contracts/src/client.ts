import { initClient, tsRestFetchApi, type ApiFetcher } from "@ts-rest/core";
import { apiContract } from "./index.js";

/**
 * A typed client of every route the BFF serves (each vendor family, the mobile API and whatever
 * else `apiContract` composes), built on ts-rest's client from the same contracts the BFF
 * implements: paths, parameters, headers, bodies and each status's response are inferred.
 * A file upload's body may be a stream (see `streamingFetcher`).
 */
export type InsightsClientOptions = {
  /** The BFF's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** A bearer access token, sent as `Authorization` on every request. */
  token?: string;
  /** An organisation's API key (IMIconnect profiles), sent as `key` on every request. */
  apiKey?: string;
  /** Parse every response body with its contract schema (default true). */
  validateResponse?: boolean;
  /** The fetcher underneath (default: ts-rest's, over global fetch). */
  fetcher?: ApiFetcher;
};

/** The content type a streamed body is sent with: the server reads the bytes (NDJSON, CSV, gzip) itself. */
export const STREAMED_BODY_CONTENT_TYPE = "application/octet-stream";

/** A web `ReadableStream`, or a Node `Readable` (an async iterable of chunks that pipes). */
export function isStreamBody(value: unknown): value is ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  if (typeof value !== "object" || value === null) return false;
  if (typeof ReadableStream !== "undefined" && value instanceof ReadableStream) return true;
  return Symbol.asyncIterator in value && typeof (value as { pipe?: unknown }).pipe === "function";
}

/**
 * Streams request bodies. ts-rest's client JSON-encodes any body of a route that is not
 * multipart or form-encoded; a route whose body is a file (`POST /admin/v1/imports`) is called
 * with the file as a stream instead: a web `ReadableStream` or a Node `Readable` (e.g.
 * `createReadStream(path)`). Such a body goes to the fetcher as it is (`rawBody`), with
 * `duplex: "half"` (fetch requires it for a streamed request body) and
 * `Content-Type: application/octet-stream`, so the file is never held in memory. Every other
 * body is left to ts-rest.
 */
export function streamingFetcher(fetcher: ApiFetcher = tsRestFetchApi): ApiFetcher {
  return (args) => {
    if (!isStreamBody(args.rawBody)) return fetcher(args);
    const headers = Object.fromEntries(Object.entries(args.headers).filter(([name]) => name.toLowerCase() !== "content-type"));
    return fetcher({
      ...args,
      // fetch (undici in Node, browsers) takes a stream body; ts-rest's type names only the encoded ones.
      body: args.rawBody as unknown as string,
      contentType: undefined,
      headers: { ...headers, "content-type": STREAMED_BODY_CONTENT_TYPE },
      fetchOptions: { ...args.fetchOptions, duplex: "half" } as NonNullable<typeof args.fetchOptions>,
    });
  };
}

export function createInsightsClient(options: InsightsClientOptions) {
  const credentials: Record<string, string> = {};
  if (options.token !== undefined) credentials.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) credentials.key = options.apiKey;
  const fetcher = streamingFetcher(options.fetcher);
  // Credentials go in through the fetcher, not `baseHeaders`: a `Record<string, string>` there
  // would make every header the contracts require optional in the inferred request types.
  const api: ApiFetcher = (args) => fetcher({ ...args, headers: { ...credentials, ...args.headers } });
  return initClient(apiContract, {
    baseUrl: options.baseUrl,
    api,
    validateResponse: options.validateResponse ?? true,
    throwOnUnknownStatus: true,
  });
}

export type InsightsClient = ReturnType<typeof createInsightsClient>;
