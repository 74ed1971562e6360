/**
 * Who may call a route, declared on the route itself (ts-rest `metadata`) and enforced by one
 * middleware in the BFF. A route without a policy does not mount. The helpers below return
 * literal-typed metadata, so the BFF can derive from a route's type the caller its handler gets.
 */
export type AuthPolicy = PublicAuth | BearerAuth | ApiKeyAuth;

/** Anyone (health checks, the API reference). */
export type PublicAuth = { scheme: "public" };

/**
 * A bearer JWT carrying every listed scope. `binding` narrows which tokens: `subscriber` only
 * 3-legged tokens (with a `phone_number` claim), `client` only 2-legged ones; absent, either.
 * `organisationParam` names the path parameter that says which organisation the route acts on:
 * it must be the token's own. `roles`, a request header that can narrow what the token allows.
 */
export type BearerAuth = {
  scheme: "bearer";
  scopes: readonly string[];
  binding?: TokenBinding;
  organisationParam?: string;
  roles?: RolesPolicy;
};

/** A bearer policy that any token (2- or 3-legged) may satisfy. */
export type UnboundBearerAuth = BearerAuth & { binding?: undefined };

/** A bearer policy that only tokens of binding `B` satisfy. */
export type BoundBearerAuth<B extends TokenBinding> = BearerAuth & { binding: B };

/** An organisation's API key in one of the listed headers (IMIconnect `key`/`secretKey`). */
export type ApiKeyAuth = { scheme: "apiKey"; headers: readonly string[] };

/** Which bearer tokens a route accepts: bound to a subscriber (3-legged) or a client's own (2-legged). */
export type TokenBinding = "subscriber" | "client";

/**
 * A header of comma-separated role names that can only narrow what the credential allows (MasStack
 * `x-auth-roles`). Absent, the credential's rights stand; sent, at least one of its roles must be
 * in `allowedBy`, else 403 (an unknown role allows nothing). `access` names what the route does
 * ("read", "write"), for the error's detail.
 */
export type RolesPolicy = { header: string; access: string; allowedBy: readonly string[] };

/** Rate-limit bucket: `default` counts against RATE_LIMIT_MAX per caller; `none` is never limited. */
export type RateLimitBucket = "default" | "none";

export type RoutePolicy<A extends AuthPolicy = AuthPolicy> = { auth: A; rateLimit: RateLimitBucket };

export type RouteMetadata<A extends AuthPolicy = AuthPolicy> = {
  policy: RoutePolicy<A>;
  /**
   * Request headers as the vendor documents them (`countryCode`, `ChannelId`…), by their
   * lower-case wire name: errors name the offending header the way the vendor's clients know it.
   */
  headerNames?: Readonly<Record<string, string>>;
  /** The body is a file streamed to the handler as it arrives (never parsed as JSON first). */
  streamedBody?: true;
};

/** The auth policy a route's metadata type declares (the whole union when it declares none). */
export type AuthOf<M> = NonNullable<M> extends { policy: { auth: infer A extends AuthPolicy } } ? A : AuthPolicy;

/** Builds a route's metadata; use it on every route. */
export function routePolicy<A extends AuthPolicy>(policy: RoutePolicy<A>, headerNames?: Readonly<Record<string, string>>): RouteMetadata<A> {
  return headerNames ? { policy, headerNames } : { policy };
}

export const publicRoute: RouteMetadata<PublicAuth> = routePolicy({ auth: { scheme: "public" }, rateLimit: "none" });

export function bearerRoute(...scopes: string[]): RouteMetadata<UnboundBearerAuth> {
  return routePolicy({ auth: { scheme: "bearer", scopes }, rateLimit: "default" });
}

/** A bearer route whose errors name headers as the vendor documents them. */
export function bearerRouteWithHeaders(headerNames: Readonly<Record<string, string>>, ...scopes: string[]): RouteMetadata<UnboundBearerAuth> {
  return routePolicy({ auth: { scheme: "bearer", scopes }, rateLimit: "default" }, headerNames);
}

/** A bearer route that only a token of the given binding may call (the mobile API). */
export function boundBearerRoute<B extends TokenBinding>(binding: B, ...scopes: string[]): RouteMetadata<BoundBearerAuth<B>> {
  return routePolicy({ auth: { scheme: "bearer", scopes, binding }, rateLimit: "default" });
}

/**
 * A bearer route acting on the organisation its path parameter `organisationParam` names (the
 * token's own, else 403), optionally narrowed further by a roles header.
 */
export function organisationRoute(options: { scopes: readonly string[]; organisationParam: string; roles?: RolesPolicy }): RouteMetadata<UnboundBearerAuth> {
  return routePolicy({ auth: { scheme: "bearer", ...options }, rateLimit: "default" });
}

export function apiKeyRoute(...headers: string[]): RouteMetadata<ApiKeyAuth> {
  return routePolicy({ auth: { scheme: "apiKey", headers }, rateLimit: "default" });
}

/** Marks a route whose body is a streamed file (an import upload). */
export function streamedBody<A extends AuthPolicy>(metadata: RouteMetadata<A>): RouteMetadata<A> {
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
