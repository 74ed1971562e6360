import { documentedHeaderName, policyOf, type AuthOf, type RoutePolicy } from "@insights/contracts";
import { AppError } from "@insights/errors";
import { isAppRoute, type AppRoute, type AppRouter, type ServerInferRequest, type ServerInferResponses } from "@ts-rest/core";
import { createExpressEndpoints, type RequestValidationError } from "@ts-rest/express";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { Express, Request, RequestHandler, Response, Router } from "express";
import type { ZodError, ZodIssue } from "zod";
import { requestAuthorizer } from "../auth/authorize.js";
import type { CallerOf } from "../auth/caller.js";
import { stateOf } from "./request-state.js";

/**
 * The only file that knows ts-rest's server API. Handlers take plain typed input and return a
 * plain typed result (plus optional response headers); a ts-rest upgrade touches this file only.
 */

export type HandlerInput<R extends AppRoute> = ServerInferRequest<R> & {
  /** The caller the route's policy admits (a token caller for a bearer route, and so on): already authorized. */
  caller: CallerOf<AuthOf<R["metadata"]>>;
  requestId: string;
  /** The request's transaction id, for families whose answers carry one (see their dialect). */
  transactionId: string;
  /** The request body as it arrives, for routes whose body is streamed (unread otherwise). */
  rawBody: Readable;
  /** When the request arrived (`performance.now()`): the start of its time budget. */
  receivedAt: number;
  /** Every request header as received (an upstream provider forwards the caller's credentials). */
  requestHeaders: Readonly<IncomingHttpHeaders>;
};

export type HandlerResult<R extends AppRoute> = ServerInferResponses<R> & { headers?: Record<string, string> };

export type RouteHandler<R extends AppRoute> = (input: HandlerInput<R>) => Promise<HandlerResult<R>>;

export type RouterHandlers<T extends AppRouter> = {
  [K in keyof T]: T[K] extends AppRoute ? RouteHandler<T[K]> : T[K] extends AppRouter ? RouterHandlers<T[K]> : never;
};

type AnyHandler = (input: Record<string, unknown>) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

function adapt(router: AppRouter | AppRoute, handlers: unknown, path: string): unknown {
  if (isAppRoute(router)) {
    const policy = policyOf(router.metadata);
    if (!policy) throw new Error(`route ${path} (${router.method} ${router.path}) declares no policy`);
    const authorize = requestAuthorizer(policy.auth);
    const handler = handlers as AnyHandler;
    return async ({ params, query, body, headers, req, res }: { params: unknown; query: unknown; body: unknown; headers: unknown; req: Request; res: { setHeader(n: string, v: string): void } }) => {
      const state = stateOf(req);
      // The caller was authenticated as the policy demands (enforcePolicy); what it may act on is
      // checked here, on the validated request, so that handlers never check either again.
      authorize?.(state.caller, { params, headers });
      const result = await handler({ params, query, body, headers, caller: state.caller, requestId: state.requestId, transactionId: state.transactionId, rawBody: req, receivedAt: state.receivedAt, requestHeaders: req.headers });
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      return { status: result.status, body: result.body };
    };
  }
  return Object.fromEntries(
    Object.entries(router).map(([key, child]) => [key, adapt(child as AppRouter | AppRoute, (handlers as Record<string, unknown>)[key], path ? `${path}.${key}` : key)]),
  );
}

/**
 * The first schema issue of a failed request (headers, then path, query, body), as an AppError
 * naming the field — a header by the name its vendor documents.
 */
export function validationErrorToAppError(error: RequestValidationError, route: AppRoute | undefined): AppError {
  const parts: [ZodError | null, "headers" | "params" | "query" | "body"][] = [
    [error.headers, "headers"],
    [error.pathParams, "params"],
    [error.query, "query"],
    [error.body, "body"],
  ];
  for (const [zodError, part] of parts) {
    const issue = zodError?.issues[0];
    if (!issue) continue;
    const rename = part === "headers" ? (name: string) => documentedHeaderName(route?.metadata, name) : (name: string) => name;
    return issueToAppError(issue, part === "body" ? "body" : undefined, rename);
  }
  return new AppError("invalid_argument", { detail: "The request is not valid." });
}

function issueToAppError(issue: ZodIssue, root: string | undefined, rename: (name: string) => string): AppError {
  const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const path = [...issue.path.map(String), ...(unknownKey ? [unknownKey] : [])];
  const field = path.length > 0 ? rename(path.join(".")) : (root ?? "request");
  const missing = issue.code === "invalid_type" && issue.received === "undefined";
  const reason = unknownKey ? "unknown_field" : missing ? "missing" : "invalid_value";
  const detail = unknownKey ? `${field}: unknown property` : missing ? `${field}: is required` : `${field}: ${messageOf(issue)}`;
  return new AppError("invalid_argument", { field, reason, detail });
}

/**
 * What is wrong, never the value received: Zod's enum message quotes it ("received '+34…'"),
 * and error bodies and logs must not carry what a caller put in the wrong field.
 */
function messageOf(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_enum_value":
      return `must be one of ${issue.options.map((option) => `'${String(option)}'`).join(", ")}`;
    case "invalid_union_discriminator":
      return `must be one of ${issue.options.map((option) => `'${String(option)}'`).join(", ")}`;
    default:
      return issue.message;
  }
}

export type MountOptions = {
  /** Runs once ts-rest has matched the route and before it validates the request: authentication. */
  enforcePolicy: (policy: RoutePolicy, req: Request, res: Response) => Promise<void>;
};

/** The contract route ts-rest matched for this request. */
function routeOf(req: Request): AppRoute | undefined {
  return (req as Request & { tsRestRoute?: AppRoute }).tsRestRoute;
}

function policyMiddleware(enforcePolicy: MountOptions["enforcePolicy"]): RequestHandler {
  return (req, res, next) => {
    const policy = policyOf(routeOf(req)?.metadata);
    if (!policy) return next(new AppError("internal", { detail: "route without policy" }));
    enforcePolicy(policy, req, res).then(() => next(), next);
  };
}

/** Mounts a contract's routes on an Express app (or router) with our handlers. */
export function mountContract<T extends AppRouter>(app: Express | Router, contract: T, handlers: RouterHandlers<T>, options: MountOptions): void {
  createExpressEndpoints(contract, adapt(contract, handlers, "") as never, app as Express, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: false,
    globalMiddleware: [policyMiddleware(options.enforcePolicy)],
    requestValidationErrorHandler: (err, req, _res, next) => next(validationErrorToAppError(err, routeOf(req))),
  });
}
