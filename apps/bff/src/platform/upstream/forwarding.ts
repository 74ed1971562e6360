import { AppError, type ErrorCodec } from "@insights/errors";
import { extractZodObjectShape, isAppRoute, isZodObject, type AppRoute, type AppRouter } from "@ts-rest/core";
import type { IncomingHttpHeaders } from "node:http";
import type { Caller } from "../auth/caller.js";
import type { HandlerInput, RouterHandlers } from "../http/ts-rest-adapter.js";
import { deadlineAfter } from "./deadline.js";
import { isUpstreamFailure, type UpstreamFailure } from "./failure.js";
import type { ValidatedRequest } from "./family-upstream.js";
import type { Upstream, UpstreamAnswer, UpstreamCall, UpstreamRequest } from "./upstream-client.js";

/** A failure on the upstream's side as the family's documented unavailable or timeout error; the cause stays in the log. */
export function upstreamError(failure: UpstreamFailure): AppError {
  if (failure.reason === "timeout") return new AppError("timeout", { detail: "The upstream service did not answer in time.", cause: failure });
  return new AppError("unavailable", { detail: "The upstream service is unavailable.", cause: failure });
}

/**
 * A vendor's explanation is kept only when it is short plain text (what a client can act on, such
 * as which field is wrong); anything else — markup, long text, long digit runs — is dropped and the
 * family's documented text stands.
 */
function plainDetail(detail: string | undefined): string | undefined {
  if (detail === undefined || detail.length > 200 || /\d{7,}/.test(detail)) return undefined;
  return /^[\p{L}\p{N} .,;:'"()_\-/`]*$/u.test(detail) ? detail : undefined;
}

/**
 * An error the upstream answered in the family's format, read into the internal model (so it is
 * rendered anew, in our request's context): the vendor code and client-safe text survive, nothing
 * else of the vendor's body does. A 429's Retry-After is kept.
 */
export function vendorError(codec: ErrorCodec, answer: UpstreamAnswer): AppError {
  const parsed = codec.parse(answer.status, answer.body);
  const detail = plainDetail(parsed.detail);
  const retryAfter = Number(answer.headers.get("retry-after"));
  const options = {
    ...(parsed.vendorCode !== undefined ? { vendorCode: parsed.vendorCode } : {}),
    ...(parsed.field !== undefined && /^[A-Za-z0-9_.-]{1,100}$/.test(parsed.field) ? { field: parsed.field } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(parsed.reason !== undefined ? { reason: parsed.reason } : {}),
    ...(parsed.kind === "rate_limited" && Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
  // A server-side error code in a 4xx-or-200 answer is still the upstream failing.
  if (parsed.kind === "internal" || parsed.kind === "unavailable") return new AppError("unavailable", { detail: "The upstream service is unavailable." });
  if (parsed.kind === "timeout") return new AppError("timeout", { detail: "The upstream service did not answer in time." });
  return new AppError(parsed.kind, options);
}

function pick(headers: Readonly<IncomingHttpHeaders> | Headers, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers instanceof Headers ? headers.get(name) : headers[name];
    if (typeof value === "string" && value !== "") out[name] = value;
  }
  return out;
}

/** The names of the request headers a route declares (ts-rest hands the handler every header the request had). */
function declaredHeaderNames(route: AppRoute): readonly string[] {
  return route.headers && isZodObject(route.headers) ? Object.keys(extractZodObjectShape(route.headers) as Record<string, unknown>) : [];
}

/** The route's declared, validated request headers, as strings: nothing else of the caller's request goes upstream. */
function declaredHeaders(headers: unknown, names: readonly string[]): Record<string, string> {
  const given = (headers ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = given[name];
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

type AnyInput = Pick<HandlerInput<AppRoute>, "requestId" | "transactionId" | "receivedAt" | "requestHeaders" | "caller"> & {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
  headers?: unknown;
};

/**
 * Calls a route of the upstream and returns its success; a failure on the upstream's side is
 * thrown as the family's unavailable/timeout error, an error it answered as that error read
 * into the internal model.
 */
export async function callThrough(upstream: Upstream, routeName: string, request: UpstreamRequest, call: UpstreamCall): Promise<UpstreamAnswer> {
  let answer: UpstreamAnswer;
  try {
    answer = await upstream.call(routeName, request, call);
  } catch (error) {
    throw isUpstreamFailure(error) ? upstreamError(error) : error;
  }
  if (answer.status < 400 && !upstream.spec.isErrorBody?.(answer.body)) return answer;
  const error = vendorError(upstream.spec.codec, answer);
  // The vendor refused a vendor credential, not the caller's (some say so with HTTP 200): not the caller's doing.
  if (error.kind === "unauthenticated" && call.access.kind === "vendor") {
    throw new AppError("unavailable", { detail: "The upstream service refused the BFF's credential.", cause: error });
  }
  throw error;
}

/** The organisation a caller acts for; every route of a vendor family authenticates its caller. */
function organisationOf(caller: Caller): string {
  if (caller.kind === "anonymous") throw new AppError("permission_denied", { detail: "This API serves authenticated callers only." });
  return caller.orgId;
}

/** The request naming none of the identifiers only other organisations hold, or their family's not-found error. */
async function withoutOthersIdentifiers(upstream: Upstream, routeName: string, orgId: string, request: ValidatedRequest): Promise<ValidatedRequest> {
  const others = await upstream.access.othersIdentifiers(orgId, upstream.spec.identifiers(routeName, request));
  const [first] = others;
  if (first === undefined) return request;
  const narrowed = upstream.spec.withoutIdentifiers?.(routeName, request, others);
  if (narrowed === undefined) throw first.unknown();
  return narrowed;
}

/**
 * A handler for every route of the family's contract that answers through the upstream: the
 * caller's organisation must be one the vendor account serves, and the identifiers the request
 * names must not be only another organisation's (organisation-access.ts); then the
 * validated request goes to the vendor (path parameters, query, body, the contract's headers, the
 * caller's or a vendor credential, the correlation ids), and the vendor's validated answer
 * comes back — a success as it is (with the family's passed-back headers), an error re-rendered
 * in the family's format by the error pipeline, a failure as the family's unavailable/timeout error.
 */
export function forwardingHandlers<T extends AppRouter>(contract: T, upstream: Upstream, budgetMs: number): RouterHandlers<T> {
  const spec = upstream.spec;
  const handlers: Record<string, (input: AnyInput) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>> = {};
  for (const [routeName, route] of Object.entries(contract)) {
    if (!isAppRoute(route)) throw new Error(`the ${spec.codec.family} contract nests routers: forwarding expects a flat one`);
    const headerNames = declaredHeaderNames(route);
    handlers[routeName] = async (input) => {
      const ids = { requestId: input.requestId, transactionId: input.transactionId };
      const orgId = organisationOf(input.caller);
      const access = await upstream.access.accessFor(orgId);
      const validated = await withoutOthersIdentifiers(upstream, routeName, orgId, { params: input.params ?? {}, query: input.query, body: input.body, caller: input.caller });
      const request = {
        params: validated.params,
        query: validated.query,
        body: access.kind === "vendor" && spec.vendorBody ? spec.vendorBody(validated.body, input.caller) : validated.body,
        headers: { ...declaredHeaders(input.headers, headerNames), ...spec.correlation((input.headers ?? {}) as Record<string, unknown>, ids) },
      };
      const answer = await callThrough(upstream, routeName, request, {
        ids,
        deadline: deadlineAfter(input.receivedAt, budgetMs),
        access,
        callerCredentials: pick(input.requestHeaders, spec.callerCredentialHeaders),
      });
      const passed = pick(answer.headers, spec.responseHeaders ?? []);
      const headers = spec.ourResponseHeaders ? spec.ourResponseHeaders(passed, routeName, validated) : passed;
      return { status: answer.status, body: spec.successBody ? spec.successBody(answer.body, ids) : answer.body, headers };
    };
  }
  return handlers as unknown as RouterHandlers<T>;
}
