/**
 * Who may call a route, declared on the route itself (ts-rest `metadata`) and enforced by one
 * middleware in the BFF. A route without a policy does not mount.
 */
export type AuthPolicy =
  /** Anyone (health checks, the API reference). */
  | { scheme: "public" }
  /**
   * A bearer JWT carrying every listed scope. `binding` narrows which tokens: `subscriber` only
   * 3-legged tokens (with a `phone_number` claim), `client` only 2-legged ones; absent, either.
   */
  | { scheme: "bearer"; scopes: readonly string[]; binding?: TokenBinding }
  /** An organisation's API key in one of the listed headers (IMIconnect `key`/`secretKey`). */
  | { scheme: "apiKey"; headers: readonly string[] };

/** Which bearer tokens a route accepts: bound to a subscriber (3-legged) or a client's own (2-legged). */
export type TokenBinding = "subscriber" | "client";

/** Rate-limit bucket: `default` counts against RATE_LIMIT_MAX per caller; `none` is never limited. */
export type RateLimitBucket = "default" | "none";

export type RoutePolicy = { auth: AuthPolicy; rateLimit: RateLimitBucket };

export type RouteMetadata = {
  policy: RoutePolicy;
  /**
   * Request headers as the vendor documents them (`countryCode`, `ChannelId`…), by their
   * lower-case wire name: errors name the offending header the way the vendor's clients know it.
   */
  headerNames?: Readonly<Record<string, string>>;
  /** The body is a file streamed to the handler as it arrives (never parsed as JSON first). */
  streamedBody?: true;
};

/** Builds a route's metadata; use it on every route. */
export function routePolicy(policy: RoutePolicy, headerNames?: Readonly<Record<string, string>>): RouteMetadata {
  return headerNames ? { policy, headerNames } : { policy };
}

export const publicRoute = routePolicy({ auth: { scheme: "public" }, rateLimit: "none" });

export function bearerRoute(...scopes: string[]): RouteMetadata {
  return routePolicy({ auth: { scheme: "bearer", scopes }, rateLimit: "default" });
}

/** A bearer route whose errors name headers as the vendor documents them. */
export function bearerRouteWithHeaders(headerNames: Readonly<Record<string, string>>, ...scopes: string[]): RouteMetadata {
  return routePolicy({ auth: { scheme: "bearer", scopes }, rateLimit: "default" }, headerNames);
}

/** A bearer route that only a token of the given binding may call (the mobile API). */
export function boundBearerRoute(binding: TokenBinding, ...scopes: string[]): RouteMetadata {
  return routePolicy({ auth: { scheme: "bearer", scopes, binding }, rateLimit: "default" });
}

export function apiKeyRoute(...headers: string[]): RouteMetadata {
  return routePolicy({ auth: { scheme: "apiKey", headers }, rateLimit: "default" });
}

/** Marks a route whose body is a streamed file (an import upload). */
export function streamedBody(metadata: RouteMetadata): RouteMetadata {
  return { ...metadata, streamedBody: true };
}

/** Whether a route's body is streamed rather than parsed. */
export function hasStreamedBody(metadata: unknown): boolean {
  return (metadata as Partial<RouteMetadata> | undefined)?.streamedBody === true;
}

/** Reads a route's policy, or undefined when the route declares none. */
export function policyOf(metadata: unknown): RoutePolicy | undefined {
  const policy = (metadata as Partial<RouteMetadata> | undefined)?.policy;
  return policy && typeof policy === "object" && "auth" in policy ? policy : undefined;
}

/** The vendor's spelling of a header named in lower case, where the route documents one. */
export function documentedHeaderName(metadata: unknown, header: string): string {
  return (metadata as Partial<RouteMetadata> | undefined)?.headerNames?.[header] ?? header;
}
