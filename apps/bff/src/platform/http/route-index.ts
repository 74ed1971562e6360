import { hasStreamedBody, policyOf, type RoutePolicy } from "@insights/contracts";
import { isAppRoute, type AppRoute, type AppRouter } from "@ts-rest/core";

type IndexedRoute = { method: string; pattern: RegExp; policy: RoutePolicy; streamedBody: boolean; revalidated: boolean };

/** An Express-style path (`/v4/orgs/:org_id/…`) as an anchored regular expression. */
function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

function collect(router: AppRouter | AppRoute, prefixes: readonly string[]): IndexedRoute[] {
  if (isAppRoute(router)) {
    const policy = policyOf(router.metadata);
    if (!policy) throw new Error(`${router.method} ${router.path} declares no policy`);
    const streamedBody = hasStreamedBody(router.metadata);
    const revalidated = 304 in router.responses;
    return prefixes.map((prefix) => ({ method: router.method, pattern: pathPattern(prefix + router.path), policy, streamedBody, revalidated }));
  }
  return Object.values(router).flatMap((child) => collect(child as AppRouter | AppRoute, prefixes));
}

/** A request as the index sees it (Express's `req` is one). */
export type IndexedRequest = { readonly method: string; readonly path: string };

export type RouteIndex = {
  /** The methods a path accepts (HEAD with GET), empty when no route has that path. */
  allowedMethods(path: string): string[];
  /** Whether the request's route is exempt from rate limiting. */
  isUnlimited(request: IndexedRequest): boolean;
  /** Whether the request's route takes its body as a stream (the handler reads it; it is not parsed). */
  isStreamed(request: IndexedRequest): boolean;
  /** Whether the request's route can answer 304: its answers carry an entity tag to revalidate with. */
  isRevalidated(request: IndexedRequest): boolean;
};

/** Knows every mounted route before Express routes the request (for 405 and rate-limit buckets). */
export function buildRouteIndex(mounted: readonly { contract: AppRouter; prefixes?: readonly string[] }[]): RouteIndex {
  const routes = mounted.flatMap(({ contract, prefixes }) => collect(contract, prefixes ?? [""]));
  const matching = (path: string) => routes.filter((r) => r.pattern.test(path));
  // Several middlewares ask about the same request: its route is matched once, then remembered with it.
  const matched = new WeakMap<IndexedRequest, IndexedRoute | null>();
  const routeOf = (request: IndexedRequest): IndexedRoute | undefined => {
    let route = matched.get(request);
    if (route === undefined) {
      const method = request.method === "HEAD" ? "GET" : request.method;
      route = routes.find((r) => r.method === method && r.pattern.test(request.path)) ?? null;
      matched.set(request, route);
    }
    return route ?? undefined;
  };
  return {
    allowedMethods(path) {
      const methods = new Set(matching(path).map((r) => r.method));
      if (methods.has("GET")) methods.add("HEAD");
      return [...methods];
    },
    isUnlimited: (request) => routeOf(request)?.policy.rateLimit === "none",
    isStreamed: (request) => routeOf(request)?.streamedBody === true,
    isRevalidated: (request) => routeOf(request)?.revalidated === true,
  };
}
