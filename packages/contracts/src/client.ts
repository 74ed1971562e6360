import { initClient, tsRestFetchApi, type ApiFetcher } from "@ts-rest/core";
import { apiContract } from "./index.js";

/**
 * A typed client of every route the BFF serves (each vendor family, the mobile API and whatever
 * else `apiContract` composes), built on ts-rest's client from the same contracts the BFF
 * implements: paths, parameters, headers, bodies and each status's response are inferred.
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

export function createInsightsClient(options: InsightsClientOptions) {
  const credentials: Record<string, string> = {};
  if (options.token !== undefined) credentials.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) credentials.key = options.apiKey;
  const fetcher = options.fetcher ?? tsRestFetchApi;
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
