import { apiContract, familyOfPath } from "@insights/contracts";
import {
  AppError,
  CamaraErrorBodySchema,
  CitibanamexErrorBodySchema,
  createCodecs,
  errorKinds,
  ImiconnectErrorBodySchema,
  MasstackErrorBodySchema,
  ProblemBodySchema,
  type ErrorCodec,
  type ErrorKind,
  type Family,
  type ImiconnectHttpStatusMode,
} from "@insights/errors";
import { isAppRoute, isZodType, type AppRoute, type AppRouter } from "@ts-rest/core";
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import type { WireRequest, WireResponse } from "./wire.js";

/**
 * What every fuzz response must be: never a 5xx, never a stack trace or HTML, an error in the
 * format of its path's family with a status that family documents (the route's own contract
 * statuses when the request reached a route), parsed back by that family's codec into the
 * same error; a success that matches the route's response schema.
 */

export type NamedRoute = { name: string; route: AppRoute };

/** Every contract route, in the order the app mounts them (Express tries them in that order). */
export function contractRoutes(router: AppRouter = apiContract, prefix = ""): NamedRoute[] {
  return Object.entries(router).flatMap(([key, child]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    return isAppRoute(child as AppRoute | AppRouter) ? [{ name, route: child as AppRoute }] : contractRoutes(child as AppRouter, name);
  });
}

/** An Express route path as Express 4 matches it: case-insensitive, a trailing slash allowed. */
function routePattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+?" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`, "i");
}

const mounted = contractRoutes().map((r) => ({ ...r, pattern: routePattern(r.route.path) }));

/** The contract route Express hands a request to, if any (GET routes answer HEAD too). */
export function routeReached(method: string, path: string): NamedRoute | undefined {
  const effective = method === "HEAD" ? "GET" : method;
  return mounted.find((r) => r.route.method === effective && r.pattern.test(path));
}

const wireSchemas: Record<Family, z.AnyZodObject> = {
  camara: CamaraErrorBodySchema.strict(),
  citibanamex: CitibanamexErrorBodySchema.strict(),
  masstack: MasstackErrorBodySchema.strict(),
  imiconnect: ImiconnectErrorBodySchema.strict(),
  problem: ProblemBodySchema.strict(),
};

const contentTypes: Record<Family, string> = {
  camara: "application/json",
  citibanamex: "application/json",
  masstack: "application/json",
  imiconnect: "application/json",
  problem: "application/problem+json",
};

/** The statuses a family's codec answers these kinds with: docs/errors.md's table, column by column. */
function statusesOf(codec: ErrorCodec, kinds: readonly ErrorKind[]): Set<number> {
  return new Set(kinds.map((kind) => codec.render(new AppError(kind), {}).status));
}

/**
 * What the HTTP layer answers before a route's own contract applies — a body too large, not
 * JSON or not of a JSON media type, a rate limit — which routes do not each list.
 */
const frameworkKinds: readonly ErrorKind[] = ["invalid_argument", "payload_too_large", "unsupported_media_type", "rate_limited"];

/** Traces of internals: stack frames, error class names, HTML pages. */
const INTERNALS = [/\n\s+at\s/, /\bat [^\s()]+ \([^)]*:\d+:\d+\)/, /(^|[^A-Za-z])(?:[A-Z][a-z]*)?Error: /, /<html/i, /<!doctype/i, /node_modules/, /\/src\/[\w/-]+\.[jt]s/];

export type Outcome = {
  /** Whether the answer refuses the request (an error status, or an IMIconnect error body under 200). */
  rejected: boolean;
  status: number;
};

export type Checker = (req: WireRequest, res: WireResponse) => { problem: string | undefined; outcome: Outcome };

function headerValue(res: WireResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Checks an error answer against its family's format; returns what is wrong, if anything. */
function checkError(family: Family, codec: ErrorCodec, allowed: ReadonlySet<number>, res: WireResponse, text: string): string | undefined {
  if (!allowed.has(res.status)) return `status ${res.status} is not one this request may get (${[...allowed].sort().join(", ")})`;
  const type = headerValue(res, "content-type");
  if (type !== contentTypes[family]) return `content-type ${String(type)}, expected ${contentTypes[family]}`;
  const leak = INTERNALS.find((pattern) => pattern.test(text));
  if (leak) return `the body shows internals (${String(leak)})`;
  const json = parseJson(text);
  if (!json.ok) return "the error body is not JSON";
  const shape = wireSchemas[family].safeParse(json.value);
  if (!shape.success) return `the error body is not a ${family} error: ${shape.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  // Parsed back by the family's codec and rendered again, it must come out the same: a
  // documented code, at its documented status, with the texts the codec gives it.
  const body = json.value as Record<string, unknown>;
  try {
    const error = codec.parse(res.status, body);
    const again = codec.render(error, {
      correlator: headerValue(res, "x-correlator"),
      requestUuid: typeof body.uuid === "string" ? body.uuid : undefined,
      transid: typeof body.transid === "string" ? body.transid : undefined,
      instance: typeof body.instance === "string" ? body.instance : undefined,
      now: typeof body.timestamp === "string" ? new Date(body.timestamp) : undefined,
    });
    if (again.status !== res.status) return `the codec renders this error as ${again.status}, not ${res.status}`;
    if (!isDeepStrictEqual(again.body, body)) return `the codec renders this error as ${JSON.stringify(again.body)}`;
  } catch (error) {
    return `the ${family} codec cannot parse this error back: ${String(error)}`;
  }
  return undefined;
}

function checkSuccess(route: AppRoute, res: WireResponse, text: string): string | undefined {
  const declared = (route.responses as Record<number, unknown>)[res.status];
  if (declared === undefined) return `status ${res.status} is not in the contract of ${route.method} ${route.path}`;
  if (typeof declared === "symbol") return text === "" ? undefined : "a no-body response has a body";
  if (typeof declared === "object" && declared !== null && "contentType" in declared) {
    const expected = String((declared as { contentType: string }).contentType);
    return headerValue(res, "content-type")?.startsWith(expected) ? undefined : `content-type ${String(headerValue(res, "content-type"))}, expected ${expected}`;
  }
  if (!headerValue(res, "content-type")?.startsWith("application/json")) return `content-type ${String(headerValue(res, "content-type"))} on a JSON response`;
  if (!isZodType(declared)) return undefined;
  const json = parseJson(text);
  if (!json.ok) return "the response body is not JSON";
  const result = declared.safeParse(json.value);
  return result.success ? undefined : `the response does not match the contract: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
}

/** The checker of one app (its IMIconnect status mode decides whether 7xxx errors travel under 200). */
export function responseChecker(imiconnectMode: ImiconnectHttpStatusMode): Checker {
  const codecs = createCodecs({ imiconnectHttpStatus: imiconnectMode });
  const statuses = (kinds: readonly ErrorKind[]) => Object.fromEntries(Object.entries(codecs).map(([family, codec]) => [family, statusesOf(codec, kinds)])) as Record<Family, Set<number>>;
  const familyStatuses = statuses(errorKinds);
  const frameworkStatuses = statuses(frameworkKinds);
  return (req, res) => {
    const path = req.target.split(/[?#]/)[0] ?? "";
    const family = familyOfPath(path);
    const text = res.text;
    const json = parseJson(text);
    const imiconnectError = family === "imiconnect" && json.ok && typeof json.value === "object" && json.value !== null && (json.value as { Status?: unknown }).Status !== 0;
    const rejected = res.status >= 400 || (res.status === 200 && imiconnectError);
    const outcome = { rejected, status: res.status };
    if (res.status >= 500) return { outcome, problem: `answered ${res.status}: ${text.slice(0, 500)}` };
    const reached = routeReached(req.method, path);
    if (!rejected) {
      if (!reached) return { outcome, problem: `answered ${res.status} to a request no contract route takes` };
      return { outcome, problem: checkSuccess(reached.route, res, text) };
    }
    // A request a route took may get that route's statuses (and the HTTP layer's); any other, its family's.
    const allowed = reached ? new Set([...Object.keys(reached.route.responses).map(Number), ...frameworkStatuses[family]]) : familyStatuses[family];
    return { outcome, problem: checkError(family, codecs[family], allowed, res, text) };
  };
}
