import { isAppError } from "@insights/errors";
import { initClient, validateResponse, type AppRoute } from "@ts-rest/core";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics.js";
import { BREAKER_STATE_VALUES } from "../metrics/metrics.js";
import { createBreaker, type BreakerState } from "./breaker.js";
import type { UpstreamSettings } from "./config.js";
import { attemptTimeoutMs, type Deadline } from "./deadline.js";
import { UpstreamFailure, isUpstreamFailure } from "./failure.js";
import type { CallIds, FamilyUpstream } from "./family-upstream.js";
import { organisationAccess, type CredentialFamily, type OrganisationAccess, type OrganisationAccessDependencies, type VendorAccess } from "./organisation-access.js";
import { withRetries } from "./retry.js";
import { createTransport } from "./transport.js";
import { pathSegment } from "./vendor-path.js";

export type UpstreamRequest = {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
  headers: Record<string, string>;
};

export type UpstreamCall = {
  ids: CallIds;
  deadline: Deadline;
  /** How the call authenticates to the vendor (the caller's organisation's access, see organisation-access.ts). */
  access: VendorAccess;
  /** The caller's credential headers, sent when the access is the caller's own. */
  callerCredentials: Record<string, string>;
};

/** An answer the contract lists for its status, validated (a 2xx, or a 4xx in the family's error format). */
export type UpstreamAnswer = { status: number; body: unknown; headers: Headers };

export type Upstream = {
  readonly settings: UpstreamSettings<CredentialFamily>;
  readonly spec: FamilyUpstream;
  /** Whose vendor account serves which organisation. */
  readonly access: OrganisationAccess;
  breakerState(): BreakerState;
  /** Calls one contract route: resolves with a validated answer, or rejects with an `UpstreamFailure`. */
  call(route: string, request: UpstreamRequest, call: UpstreamCall): Promise<UpstreamAnswer>;
  close(): Promise<void>;
};

export type UpstreamDependencies = Omit<OrganisationAccessDependencies, "vendorHeaders" | "credentials"> & {
  metrics: Metrics;
  logger: Logger;
  breaker: { failures: number; resetMs: number };
  maxResponseBytes: number;
};

type ClientRoute = (args: Record<string, unknown>) => Promise<{ status: number; body: unknown; headers: Headers }>;

/**
 * One upstream vendor behind a family's contract: a ts-rest client over a keep-alive undici
 * transport, a circuit breaker, retries of read-only calls, and every answer validated against
 * the contract's response schema for its status.
 */
export function createUpstream(settings: UpstreamSettings<CredentialFamily>, spec: FamilyUpstream, deps: UpstreamDependencies): Upstream {
  const name = settings.family;
  const { metrics, logger } = deps;
  const transport = createTransport({ baseUrl: settings.baseUrl, connections: settings.connections, maxResponseBytes: deps.maxResponseBytes });
  const client = initClient(spec.contract, {
    baseUrl: settings.baseUrl,
    baseHeaders: {},
    api: transport.fetcher,
    validateResponse: false,
    throwOnUnknownStatus: false,
    jsonQuery: false,
  }) as unknown as Record<string, ClientRoute>;
  const breaker = createBreaker({ ...deps.breaker, onStateChange: (state) => metrics.breakerState.set({ upstream: name }, BREAKER_STATE_VALUES[state]) });
  metrics.breakerState.set({ upstream: name }, BREAKER_STATE_VALUES.closed);
  const access = organisationAccess(settings, { store: deps.store, credentialsKey: deps.credentialsKey, credentials: spec.credentials, vendorHeaders: (credential) => spec.vendorHeaders?.(credential) ?? {} });

  /** The answer when the contract lists its status and it matches that status's schema; else a failure. */
  function validated(route: AppRoute, answer: UpstreamAnswer): UpstreamAnswer {
    if (answer.status >= 500 || !Object.hasOwn(route.responses, String(answer.status))) {
      throw new UpstreamFailure("status", `the upstream answered ${answer.status}`, answer.status);
    }
    try {
      const checked = validateResponse({ appRoute: route, response: { status: answer.status, body: answer.body } }) as { body: unknown };
      const successSchema = answer.status < 300 && !spec.isErrorBody?.(checked.body) ? spec.successSchema : undefined;
      return { ...answer, body: successSchema ? successSchema.parse(checked.body) : checked.body };
    } catch (error) {
      throw new UpstreamFailure("invalid", `the upstream's ${answer.status} answer does not match the contract`, answer.status, { cause: error });
    }
  }

  async function attempt(routeName: string, request: UpstreamRequest, call: UpstreamCall, n: number): Promise<UpstreamAnswer> {
    const route = spec.contract[routeName] as AppRoute;
    const timeoutMs = attemptTimeoutMs(call.deadline, settings.timeoutMs);
    const startedAt = performance.now();
    const labels = { upstream: name, route: routeName };
    try {
      if (timeoutMs <= 0) throw new UpstreamFailure("timeout", "the request's time budget is spent");
      const signal = AbortSignal.timeout(timeoutMs);
      const vendor = call.access.kind === "vendor" ? call.access : undefined;
      const credentials = vendor ? { ...(await vendor.source.headers(timeoutMs)), ...vendor.headers } : call.callerCredentials;
      const clientRoute = client[routeName];
      if (!clientRoute) throw new Error(`no route ${routeName} in the ${name} contract`);
      const raw = await clientRoute({
        params: request.params ?? {},
        query: request.query,
        body: request.body,
        headers: { ...request.headers, ...credentials },
        fetchOptions: { signal },
      });
      const answer = validated(route, raw);
      if (answer.status === 401 && vendor) {
        // Our own credential refused: not the caller's fault, and the next call gets a fresh one.
        vendor.source.invalidate();
        throw new UpstreamFailure("credentials", "the upstream refused the BFF's credential", 401);
      }
      const seconds = (performance.now() - startedAt) / 1000;
      metrics.upstreamCalls.inc({ ...labels, outcome: answer.status < 400 && !spec.isErrorBody?.(answer.body) ? "ok" : "client_error" });
      metrics.upstreamDuration.observe(labels, seconds);
      logger.info({ requestId: call.ids.requestId, upstream: name, route: routeName, attempt: n, status: answer.status, ms: Math.round(seconds * 1000), ...spec.upstreamIds?.(answer.body) }, "upstream call");
      return answer;
    } catch (error) {
      // A request refused before it left (a path outside the route) is the caller's error, not the upstream's.
      if (isAppError(error)) throw error;
      const failure = isUpstreamFailure(error) ? error : new UpstreamFailure("connection", "the upstream call failed", undefined, { cause: error });
      metrics.upstreamCalls.inc({ ...labels, outcome: "failure" });
      metrics.upstreamDuration.observe(labels, (performance.now() - startedAt) / 1000);
      metrics.upstreamFailures.inc({ upstream: name, reason: failure.reason });
      logger.warn(
        { requestId: call.ids.requestId, upstream: name, route: routeName, attempt: n, reason: failure.reason, status: failure.status, ms: Math.round(performance.now() - startedAt), err: failure.cause ?? failure },
        "upstream call failed",
      );
      throw failure;
    }
  }

  return {
    settings,
    spec,
    access,
    breakerState: () => breaker.state(),
    call(routeName, request, call) {
      const retries = spec.readOnly.includes(routeName) ? settings.retries : 0;
      // Every identifier enters the vendor's path through the one segment encoder (refused here, before any call).
      const params = Object.fromEntries(Object.entries(request.params ?? {}).map(([name, value]) => [name, pathSegment(value, name)]));
      const encoded = { ...request, params };
      return withRetries(async (n) => {
        try {
          return await breaker.execute(() => attempt(routeName, encoded, call, n));
        } catch (error) {
          if (isUpstreamFailure(error) && error.reason === "breaker_open") {
            metrics.upstreamFailures.inc({ upstream: name, reason: error.reason });
            logger.warn({ requestId: call.ids.requestId, upstream: name, route: routeName, reason: error.reason }, "upstream call not made");
          }
          throw error;
        }
      }, { retries, deadline: call.deadline });
    },
    close: () => transport.close(),
  };
}
