import type { ApiFetcher, ApiFetcherArgs } from "@ts-rest/core";
import { AppError, isAppError } from "@insights/errors";
import { Agent, errors as undiciErrors } from "undici";
import { UpstreamFailure } from "./failure.js";
import { isPathOfRoute } from "./vendor-path.js";

/**
 * The HTTP client under an upstream's ts-rest client: undici, keep-alive, at most `connections`
 * sockets to the upstream. Redirects are never followed (a 3xx is answered as it is, and the
 * contract lists none); a body over `maxResponseBytes` is a failure; the call's signal aborts it.
 * The path goes as built — never normalised — and only when it is exactly the route's path under
 * the upstream's base URL (vendor-path.ts); any other is refused before a byte is sent.
 */
export type Transport = { fetcher: ApiFetcher; close(): Promise<void> };

export type TransportOptions = { baseUrl: string; connections: number; maxResponseBytes: number };

/** Repeated query keys as the BFF's servers read them (`customerId=A&customerId=B`), not ts-rest's `customerId[0]=A`. */
function queryString(query: unknown): string {
  if (typeof query !== "object" || query === null) return "";
  // Percent-encoded throughout (a space is %20, never `+`, which a vendor could read as itself).
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType);
}

function failureOf(error: unknown, signal: AbortSignal | undefined): UpstreamFailure | AppError {
  if (error instanceof UpstreamFailure || isAppError(error)) return error;
  if (signal?.aborted) return new UpstreamFailure("timeout", "the upstream did not answer in time", undefined, { cause: error });
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) return new UpstreamFailure("too_large", "the upstream's answer is too large", undefined, { cause: error });
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamFailure("timeout", "the upstream did not answer in time", undefined, { cause: error });
  }
  return new UpstreamFailure("connection", "the upstream connection failed", undefined, { cause: error });
}

export function createTransport(options: TransportOptions): Transport {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 4_000, maxResponseSize: options.maxResponseBytes });
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");

  /** The path ts-rest built (base URL, route path with its parameters, a query we rebuild), as sent: not normalised. */
  function routePath(args: ApiFetcherArgs): string {
    const built = args.path.startsWith(options.baseUrl) ? args.path.slice(options.baseUrl.length) : undefined;
    const path = `${basePath}${built?.split("?")[0] ?? ""}`;
    if (built === undefined || !isPathOfRoute(path, basePath, args.route.path)) {
      throw new AppError("invalid_argument", { field: "path", reason: "invalid_value", detail: "The request names no valid resource." });
    }
    return path;
  }

  const fetcher: ApiFetcher = async (args: ApiFetcherArgs) => {
    const signal = args.fetchOptions?.signal ?? undefined;
    const path = routePath(args) + queryString(args.rawQuery);
    try {
      const response = await agent.request({
        origin: base.origin,
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
