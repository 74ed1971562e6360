import type { ApiFetcher, ApiFetcherArgs } from "@ts-rest/core";
import { Agent, errors as undiciErrors } from "undici";
import { UpstreamFailure } from "./failure.js";

/**
 * The HTTP client under an upstream's ts-rest client: undici, keep-alive, at most `connections`
 * sockets to the upstream. Redirects are never followed (a 3xx is answered as it is, and the
 * contract lists none); a body over `maxResponseBytes` is a failure; the call's signal aborts it.
 */
export type Transport = { fetcher: ApiFetcher; close(): Promise<void> };

export type TransportOptions = { connections: number; maxResponseBytes: number };

/** Repeated query keys as the BFF's servers read them (`customerId=A&customerId=B`), not ts-rest's `customerId[0]=A`. */
function queryString(query: unknown): string {
  if (typeof query !== "object" || query === null) return "";
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType);
}

function failureOf(error: unknown, signal: AbortSignal | undefined): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (signal?.aborted) return new UpstreamFailure("timeout", "the upstream did not answer in time", undefined, { cause: error });
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) return new UpstreamFailure("too_large", "the upstream's answer is too large", undefined, { cause: error });
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamFailure("timeout", "the upstream did not answer in time", undefined, { cause: error });
  }
  return new UpstreamFailure("connection", "the upstream connection failed", undefined, { cause: error });
}

export function createTransport(options: TransportOptions): Transport {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 4_000, maxResponseSize: options.maxResponseBytes });

  const fetcher: ApiFetcher = async (args: ApiFetcherArgs) => {
    const signal = args.fetchOptions?.signal ?? undefined;
    const url = new URL(args.path);
    const path = url.pathname + queryString(args.rawQuery);
    try {
      const response = await agent.request({
        origin: url.origin,
        path,
        method: args.method as "GET",
        headers: args.headers,
        body: typeof args.body === "string" ? args.body : null,
        signal,
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const declared = Number(headers.get("content-length") ?? "0");
      if (declared > options.maxResponseBytes) {
        response.body.destroy();
        throw new UpstreamFailure("too_large", "the upstream's answer is too large", response.statusCode);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          response.body.destroy();
          throw new UpstreamFailure("too_large", "the upstream's answer is too large", response.statusCode);
        }
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text.length === 0 ? undefined : text;
      if (text.length > 0 && isJson(headers.get("content-type") ?? undefined)) {
        try {
          body = JSON.parse(text) as unknown;
        } catch (error) {
          throw new UpstreamFailure("invalid", "the upstream's answer is not JSON", response.statusCode, { cause: error });
        }
      }
      return { status: response.statusCode, body, headers };
    } catch (error) {
      throw failureOf(error, signal);
    }
  };

  return { fetcher, close: () => agent.close() };
}
