import { isZodType, type AppRoute } from "@ts-rest/core";
import fc from "fast-check";
import { z } from "zod";
import { headerSafe, invalidJson, isHeaderToken, oddJson, oddKey, oddString, prototypeKeys } from "./odd-values.js";
import { MAX_HEADER_VALUE_LENGTH, MAX_TARGET_LENGTH, preview, type WireRequest } from "./wire.js";
import { arbitraryOf, type Hints } from "./zod-arbitrary.js";

/**
 * A request to one contract route, first valid (every part generated from the route's own Zod
 * schemas), then bent by a list of mutations. The mutation list is part of the counterexample
 * fast-check prints, and shrinks like any list.
 */
export type RequestParts = {
  method: string;
  params: Record<string, string>;
  /** Params inserted in the path without percent-encoding. */
  rawParams: string[];
  query: [string, string][];
  /** Replaces the whole query string. */
  rawQuery: string | undefined;
  headers: [string, string][];
  body: Body;
  chunked: boolean;
  /** Appended to the path as is ("/", "//", …). */
  pathSuffix: string;
};

type Body = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "text"; text: string } | { kind: "bytes"; bytes: Buffer };

export type RouteFuzzOptions = {
  hints: Hints;
  /** Header lines carrying credentials: valid ones most of the time, broken ones sometimes. */
  credentials: fc.Arbitrary<[string, string][]>;
  /** The body of a route whose body is not a JSON schema (an import upload). */
  rawBody?: fc.Arbitrary<string>;
};

/** Headers a mutation never touches: they frame the message, and breaking them desynchronises the connection. */
const FRAMING_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

const jsonContentTypes = ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/vnd.api+json"];

const wrongContentTypes = [
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "application/json; charset=\"utf-8\"",
  "application/json; charset=nonsense",
  "application/merge-patch+json",
  "application/problem+json",
  "APPLICATION/JSON",
  "application/json, text/plain",
  "application/json;;;",
  "application/",
  "json",
  "*/*",
  "",
  "constructor",
  "__proto__/json",
];

function schemaOf(value: unknown): z.ZodTypeAny | undefined {
  return isZodType(value) ? value : undefined;
}

/** The path's `:name` placeholders, in order. */
export function pathParamNames(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s.startsWith(":"))
    .map((s) => s.slice(1));
}

function valid<T>(arbitrary: fc.Arbitrary<T>, schema: z.ZodTypeAny | undefined, view: (value: T) => unknown = (v) => v): fc.Arbitrary<T> {
  return schema ? arbitrary.filter((value) => schema.safeParse(view(value)).success) : arbitrary;
}

function asStrings(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(asStrings);
  return [String(value)];
}

/** Query pairs as the server's simple parser sees them: repeated keys become arrays. */
function queryObject(pairs: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of pairs) {
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** A request the route's schemas accept, with valid credentials or (sometimes) broken ones. */
export function validRequest(route: AppRoute, options: RouteFuzzOptions): fc.Arbitrary<RequestParts> {
  const { hints } = options;
  const paramsSchema = schemaOf(route.pathParams) ?? z.object(Object.fromEntries(pathParamNames(route.path).map((n) => [n, z.string().min(1)])));
  const params = valid(arbitraryOf(paramsSchema, hints) as fc.Arbitrary<Record<string, unknown>>, paramsSchema).map((p) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])),
  );
  const querySchema = schemaOf(route.query);
  const query = querySchema
    ? valid(
        (arbitraryOf(querySchema, hints) as fc.Arbitrary<Record<string, unknown>>).map((q) => Object.entries(q).flatMap(([k, v]) => asStrings(v).map((s): [string, string] => [k, s]))),
        querySchema,
        queryObject,
      )
    : fc.constant<[string, string][]>([]);
  const headersSchema = schemaOf(route.headers);
  const headers = headersSchema
    ? valid(
        (arbitraryOf(headersSchema, hints) as fc.Arbitrary<Record<string, unknown>>).map((h) => Object.entries(h).map(([k, v]): [string, string] => [k, String(v)])),
        headersSchema,
        (pairs) => Object.fromEntries(pairs),
      )
    : fc.constant<[string, string][]>([]);
  const bodySchema = route.method === "GET" ? undefined : schemaOf((route as { body?: unknown }).body);
  const body: fc.Arbitrary<Body> =
    options.rawBody && bodySchema
      ? options.rawBody.map((text) => ({ kind: "text", text }))
      : bodySchema
        ? valid(arbitraryOf(bodySchema, hints), bodySchema).map((value) => ({ kind: "json", value }))
        : fc.constant({ kind: "none" });
  return fc.record({ params, query, headers, credentials: options.credentials, body, contentType: fc.constantFrom(...jsonContentTypes) }).map(
    ({ params, query, headers, credentials, body, contentType }): RequestParts => {
      const all: [string, string][] = [...headers, ...credentials];
      if (body.kind !== "none" && !all.some(([n]) => n.toLowerCase() === "content-type")) all.push(["content-type", options.rawBody ? "application/x-ndjson" : contentType]);
      return { method: route.method, params, rawParams: [], query, rawQuery: undefined, headers: all, body, chunked: false, pathSuffix: "" };
    },
  );
}

/** One change that makes a request (probably) invalid; prints as what it does. */
export type Mutation = { op: string; apply: (parts: RequestParts, route: AppRoute) => RequestParts; [fc.toStringMethod](): string };

const pick = <T>(list: readonly T[], index: number): T | undefined => (list.length === 0 ? undefined : list[index % list.length]);

function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  // An own property even for "__proto__" (plain assignment would set the prototype instead).
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyObject(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value === "object" && value !== null && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) setOwn(out, k, v);
  return out;
}

function schemaKeys(route: AppRoute): string[] {
  const schema = schemaOf((route as { body?: unknown }).body);
  let inner: unknown = schema;
  while (inner instanceof z.ZodEffects) inner = inner.innerType();
  return inner instanceof z.ZodObject ? Object.keys(inner.shape as object) : [];
}

function bodyText(body: Body): string | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return JSON.stringify(body.value) ?? "null";
    case "text":
      return body.text;
    case "bytes":
      return body.bytes.toString("latin1");
  }
}

const mutation = (op: string, args: readonly unknown[], apply: Mutation["apply"]): Mutation => ({
  op,
  apply,
  [fc.toStringMethod]: () => `${op}${args.length > 0 ? ` ${args.map((a) => preview(typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)), 80)).join(" ")}` : ""}`,
});

function withBodyKey(parts: RequestParts, route: AppRoute, index: number, value: unknown): RequestParts {
  const current = parts.body.kind === "json" ? copyObject(parts.body.value) : {};
  const key = pick([...new Set([...Object.keys(current), ...schemaKeys(route)])], index) ?? "id";
  setOwn(current, key, value);
  return { ...parts, body: { kind: "json", value: current }, headers: ensureJsonType(parts.headers) };
}

function ensureJsonType(headers: [string, string][]): [string, string][] {
  return headers.some(([n]) => n.toLowerCase() === "content-type") ? headers : [...headers, ["content-type", "application/json"]];
}

const bodyMutations: fc.Arbitrary<Mutation>[] = [
  fc.tuple(fc.nat(), oddJson).map(([i, value]) => mutation("body: a field of the wrong type", [i, value], (p, r) => withBodyKey(p, r, i, value))),
  fc.nat().map((i) =>
    mutation("body: a field missing", [i], (p, r) => {
      if (p.body.kind !== "json") return p;
      const current = copyObject(p.body.value);
      const key = pick([...Object.keys(current), ...schemaKeys(r)], i);
      if (key !== undefined) delete current[key];
      return { ...p, body: { kind: "json", value: current } };
    }),
  ),
  fc.tuple(oddKey, oddJson).map(([key, value]) =>
    mutation("body: an extra field", [key, value], (p) => {
      const current = p.body.kind === "json" ? copyObject(p.body.value) : {};
      setOwn(current, key, value);
      return { ...p, body: { kind: "json", value: current }, headers: ensureJsonType(p.headers) };
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 20_000, max: 160_000 }), fc.constantFrom("a", "é", "\u0000", "😀")).map(([i, size, ch]) =>
    mutation("body: a huge string", [i, size, ch], (p, r) => withBodyKey(p, r, i, ch.repeat(size))),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 10, max: 2_000 })).map(([i, depth]) =>
    mutation("body: deep nesting", [i, depth], (p, r) => withBodyKey(p, r, i, JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown)),
  ),
  oddJson.map((value) => mutation("body: not an object", [value], (p) => ({ ...p, body: { kind: "json", value }, headers: ensureJsonType(p.headers) }))),
  fc.tuple(fc.nat(), oddJson).map(([i, value]) =>
    mutation("body: a key given twice", [i, value], (p, r) => {
      const text = bodyText(p.body) ?? "{}";
      const key = pick(schemaKeys(r), i) ?? "id";
      const inner = text.startsWith("{") && text.length > 2 ? `${text.slice(1, -1)},` : "";
      return { ...p, body: { kind: "text", text: `{${inner}${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}}` }, headers: ensureJsonType(p.headers) };
    }),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([variant, cut]) =>
    mutation("body: invalid JSON", [variant, cut], (p) => {
      const variants = invalidJson(bodyText(p.body) ?? "{}", cut);
      const text = variants[variant % variants.length]!;
      return { ...p, body: { kind: "text", text }, headers: ensureJsonType(p.headers) };
    }),
  ),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('{"value":"\xc3\x28"}', "latin1"), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), Buffer.alloc(0)).map((bytes) =>
    mutation("body: bytes that are not UTF-8", [bytes.toString("latin1")], (p) => ({ ...p, body: { kind: "bytes", bytes }, headers: ensureJsonType(p.headers) })),
  ),
  fc.constant(mutation("body: sent chunked", [], (p) => ({ ...p, chunked: p.body.kind !== "none" }))),
  fc.constant(mutation("body: none", [], (p) => ({ ...p, body: { kind: "none" } }))),
];

const contentTypeMutations: fc.Arbitrary<Mutation>[] = [
  fc.oneof(fc.constantFrom(...wrongContentTypes), oddString.map(headerSafe)).map((type) =>
    mutation("content-type: another", [type], (p) => ({
      ...p,
      body: p.body.kind === "none" ? { kind: "text", text: "{}" } : p.body,
      headers: [...p.headers.filter(([n]) => n.toLowerCase() !== "content-type"), ["content-type", type.slice(0, MAX_HEADER_VALUE_LENGTH)]],
    })),
  ),
  fc.constant(mutation("content-type: none", [], (p) => ({ ...p, headers: p.headers.filter(([n]) => n.toLowerCase() !== "content-type") }))),
];

const headerMutations: fc.Arbitrary<Mutation>[] = [
  fc.nat().map((i) =>
    mutation("header: one missing", [i], (p) => {
      const victim = pick(p.headers, i);
      return victim ? { ...p, headers: p.headers.filter((h) => h !== victim) } : p;
    }),
  ),
  fc.tuple(fc.nat(), fc.option(oddString, { nil: undefined })).map(([i, other]) =>
    mutation("header: given twice", [i, other], (p) => {
      const victim = pick(p.headers, i);
      if (!victim) return p;
      return { ...p, headers: [...p.headers, [victim[0], other === undefined ? victim[1] : headerSafe(other).slice(0, MAX_HEADER_VALUE_LENGTH)]] };
    }),
  ),
  fc.tuple(fc.nat(), oddString).map(([i, value]) =>
    mutation("header: an odd value", [i, value], (p) => {
      const victim = pick(p.headers, i);
      if (!victim) return p;
      return { ...p, headers: p.headers.map((h): [string, string] => (h === victim ? [h[0], headerSafe(value).slice(0, MAX_HEADER_VALUE_LENGTH)] : h)) };
    }),
  ),
  fc.tuple(fc.oneof(fc.constantFrom(...prototypeKeys), oddKey), oddString).map(([name, value]) =>
    mutation("header: an extra one", [name, value], (p) =>
      isHeaderToken(name) && !FRAMING_HEADERS.has(name.toLowerCase()) ? { ...p, headers: [...p.headers, [name, headerSafe(value).slice(0, MAX_HEADER_VALUE_LENGTH)]] } : p,
    ),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...prototypeKeys)).map(([i, value]) =>
    mutation("header: a documented header set to a prototype key", [i, value], (p, r) => {
      const names = Object.keys((schemaOf(r.headers) as z.AnyZodObject | undefined)?.shape ?? {});
      const name = pick(names, i);
      return name ? { ...p, headers: [...p.headers.filter(([n]) => n.toLowerCase() !== name), [name, value]] } : p;
    }),
  ),
];

const rawQueries = ["%", "%zz=1", "a=%E0%A4%A", "&&&", "=", "==", "a", "__proto__[x]=1", "constructor=1&constructor=2", "toString=x", "a[b][c]=1", "%00=%00", "x=" + "y".repeat(5000), "include=" + "profile,".repeat(600)];

const queryMutations: fc.Arbitrary<Mutation>[] = [
  fc.tuple(oddKey, oddString).map(([key, value]) => mutation("query: an extra parameter", [key, value], (p) => ({ ...p, query: [...p.query, [key, value]] }))),
  fc.tuple(fc.nat(), fc.option(oddString, { nil: undefined })).map(([i, other]) =>
    mutation("query: a parameter given twice", [i, other], (p) => {
      const victim = pick(p.query, i);
      return victim ? { ...p, query: [...p.query, [victim[0], other ?? victim[1]]] } : p;
    }),
  ),
  fc.nat().map((i) =>
    mutation("query: a parameter missing", [i], (p) => {
      const victim = pick(p.query, i);
      return victim ? { ...p, query: p.query.filter((q) => q !== victim) } : p;
    }),
  ),
  fc.tuple(fc.nat(), oddString).map(([i, value]) =>
    mutation("query: an odd value", [i, value], (p) => {
      const victim = pick(p.query, i);
      return victim ? { ...p, query: p.query.map((q): [string, string] => (q === victim ? [q[0], value] : q)) } : p;
    }),
  ),
  fc.constantFrom(...rawQueries).map((raw) => mutation("query: malformed", [raw], (p) => ({ ...p, rawQuery: raw }))),
];

const rawPathValues = ["%", "%zz", "%C0%AF", "%E0%A4%A", "a/b", "..", ".", "", "%2e%2e", "%2F", "a?b=1", "a#b", "%00", "%20", ";", "a;b=c"];

const pathMutations: fc.Arbitrary<Mutation>[] = [
  fc.tuple(fc.nat(), oddString).map(([i, value]) =>
    mutation("path: an odd parameter", [i, value], (p) => {
      const name = pick(Object.keys(p.params), i);
      return name ? { ...p, params: { ...p.params, [name]: value } } : p;
    }),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...rawPathValues)).map(([i, value]) =>
    mutation("path: a raw parameter", [i, value], (p) => {
      const name = pick(Object.keys(p.params), i);
      return name ? { ...p, params: { ...p.params, [name]: value }, rawParams: [...p.rawParams, name] } : p;
    }),
  ),
  fc.constantFrom("/", "//", "/.", "/..", "/%2e", "/x", ".json", "%00").map((suffix) => mutation("path: a suffix", [suffix], (p) => ({ ...p, pathSuffix: suffix }))),
];

const methodMutations: fc.Arbitrary<Mutation>[] = [
  fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS").map((method) => mutation("method: another", [method], (p) => ({ ...p, method }))),
];

/** Any mutation, weighted towards the parts a route has. */
export const anyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(...bodyMutations) },
  { weight: 2, arbitrary: fc.oneof(...contentTypeMutations) },
  { weight: 4, arbitrary: fc.oneof(...headerMutations) },
  { weight: 3, arbitrary: fc.oneof(...queryMutations) },
  { weight: 3, arbitrary: fc.oneof(...pathMutations) },
  { weight: 1, arbitrary: fc.oneof(...methodMutations) },
);

/** A request: valid about one time in two, else with one to three mutations. */
export function fuzzRequest(route: AppRoute, options: RouteFuzzOptions): fc.Arbitrary<{ parts: RequestParts; mutations: Mutation[] }> {
  const mutations = fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(anyMutation, { minLength: 1, maxLength: 3 }) });
  return fc.record({ parts: validRequest(route, options), mutations });
}

export function applyMutations(route: AppRoute, parts: RequestParts, mutations: readonly Mutation[]): RequestParts {
  return mutations.reduce((p, m) => m.apply(p, route), parts);
}

/**
 * Percent-encodes a string's UTF-8 bytes (a lone surrogate becomes U+FFFD's, as a browser sends
 * it). `keep` says which ASCII characters stay raw.
 */
function percentEncode(text: string, keep: RegExp): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && keep.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;
/** What Node's client accepts raw in a request target. */
const TARGET_SAFE = /^[\u0021-\u007e]$/;

function encodeQuery(pairs: readonly [string, string][]): string {
  return pairs.map(([k, v]) => `${percentEncode(k, UNRESERVED)}=${percentEncode(v, UNRESERVED)}`).join("&");
}

export function toWire(route: AppRoute, parts: RequestParts): WireRequest {
  const path = route.path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment;
      const name = segment.slice(1);
      const value = parts.params[name] ?? "";
      return percentEncode(value, parts.rawParams.includes(name) ? TARGET_SAFE : UNRESERVED);
    })
    .join("/");
  const query = parts.rawQuery ?? encodeQuery(parts.query);
  let target = `${path}${percentEncode(parts.pathSuffix, TARGET_SAFE)}${query ? `?${percentEncode(query, TARGET_SAFE)}` : ""}`;
  if (target.length > MAX_TARGET_LENGTH) target = target.slice(0, MAX_TARGET_LENGTH);
  let body: Buffer | undefined;
  switch (parts.body.kind) {
    case "none":
      break;
    case "json":
      body = Buffer.from(JSON.stringify(parts.body.value) ?? "null", "utf8");
      break;
    case "text":
      body = Buffer.from(parts.body.text, "utf8");
      break;
    case "bytes":
      body = parts.body.bytes;
      break;
  }
  const headers = parts.headers.map(([n, v]): [string, string] => [n, headerSafe(v).slice(0, MAX_HEADER_VALUE_LENGTH)]);
  return { method: parts.method, target, headers, body, chunked: parts.chunked && body !== undefined };
}
