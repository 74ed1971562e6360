import { isAppError } from "@insights/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPathOfRoute, pathSegment } from "../../../src/platform/upstream/vendor-path.js";

/**
 * The one encoder of identifiers in vendor URLs (upstream/vendor-path.ts), against an oracle
 * that does not share its code: how a server (WHATWG URL resolution) could read the path once it
 * decodes the segment one, two or three times, folds it with NFKC, or takes `\` for `/`.
 */

const BASE = "http://vendor.example";
const PREFIX = "/base/resources/v1/customerprofile/";

/** A byte-level percent-decoding (each `%XX` a byte, the rest as UTF-8, the bytes read as UTF-8 with replacement). */
function decodedOnce(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const escape = /^%([0-9a-fA-F]{2})/.exec(text.slice(i, i + 3));
    if (escape) {
      bytes.push(Number.parseInt(escape[1]!, 16));
      i += 3;
      continue;
    }
    const codePoint = text.codePointAt(i)!;
    bytes.push(...Buffer.from(String.fromCodePoint(codePoint)));
    i += codePoint > 0xffff ? 2 : 1;
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * Every way a server could read `segment` at the end of PREFIX: decoded and NFKC-folded in any
 * order, up to three times each; a server splits off `?`/`#` before it decodes, so decoded ones are inert.
 */
function serverReadings(segment: string): string[] {
  let views = [segment];
  const readings = new Set<string>();
  for (let n = 0; n < 4; n++) {
    for (const view of views) readings.add(view);
    views = views.flatMap((view) => [decodedOnce(view), view.normalize("NFKC")]);
  }
  return [...readings].map((reading) => reading.replace(/[?#]/g, "_"));
}

/**
 * Whether every reading of the segment is one resource right under PREFIX: WHATWG URL resolution
 * (dot segments, `\`, trimming), then a servlet container's dropping of `;parameters`, leaves
 * exactly one segment that is neither empty nor a dot segment.
 */
function staysOneSegment(segment: string): boolean {
  return serverReadings(segment).every((reading) => {
    const pathname = new URL(`${PREFIX}${reading}`, BASE).pathname;
    if (!pathname.startsWith(PREFIX)) return false;
    const rest = pathname.slice(PREFIX.length).split("/").map((part) => decodedOnce(part.split(";")[0]!).trim());
    return rest.length === 1 && rest[0] !== "" && rest[0] !== "." && rest[0] !== "..";
  });
}

function accepted(value: string): string | undefined {
  try {
    return pathSegment(value, "customerid");
  } catch (error) {
    expect(isAppError(error) && error.kind === "invalid_argument" && error.field === "customerid").toBe(true);
    return undefined;
  }
}

/** Pieces that build dot segments in every disguise, among harmless text. */
const disguises = [".", "..", "%2e", "%2E", "%252e", "%25252E", "\uFF0E", "\u2024", "\uFF05\uFF12\uFF45", "/", "\\", "%2f", "%2F", "%5c", "%255c", ";", "%3B", "a", "?", "#", "%", "%3F", "~", " "];
const disguised = fc.array(fc.constantFrom(...disguises), { maxLength: 8 }).map((parts) => parts.join(""));
const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), disguised);

describe("the vendor path segment encoder", () => {
  it.each([
    ["the imported identifier of the review", "../../../internal/admin/users?all=1#"],
    ["a dot-dot segment", ".."],
    ["a dot segment", "."],
    ["empty", ""],
    ["percent-encoded dots", "%2e%2e"],
    ["mixed case and half-encoded dots", "%2E."],
    ["the other half", ".%2e"],
    ["an encoded slash between dot-dots", "..%2f..%2finternal"],
    ["a backslash walk", "..\\admin"],
    ["double-encoded dots", "%252e%252e"],
    ["full-width dots (NFKC folds them to ..)", "\uFF0E\uFF0E"],
    ["a walk inside the value", "a/../b"],
    ["servlet path parameters after dot-dots, encoded (the review's x%2F..%3B%2F…)", "x/..;/..;/internal/admin/users"],
    ["a dot-dot with path parameters", "..;x"],
    ["full-width percent-encoding of ../.. (NFKC, then decoding)", "\uFF05\uFF12\uFF45\uFF05\uFF12\uFF45\uFF05\uFF12\uFF46\uFF05\uFF12\uFF45\uFF05\uFF12\uFF45"],
    ["a slash a vendor may decode into a deeper route", "4545/admin"],
    ["a lone surrogate (no UTF-8 form)", "\uD800"],
    ["encoded that deep it never settles", "%25252525252e%25252525252e"],
  ])("refuses %s before any vendor call", (_what, value) => {
    expect(() => pathSegment(value, "customerid")).toThrow(expect.objectContaining({ kind: "invalid_argument", field: "customerid" }));
  });

  it.each([["4545"], ["CRN-0001"], ["5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001"], ["José Ñúñez"], ["a.b"], ["..."], ["a?b#c"], ["100%"], ["+34 600"]])("keeps %j, encoded as one segment", (value) => {
    const segment = accepted(value);
    expect(segment).toBeDefined();
    expect(decodeURIComponent(segment!)).toBe(value);
    expect(isPathOfRoute(`/base/resources/v1/customerprofile/${segment}`, "/base", "/resources/v1/customerprofile/:customerid")).toBe(true);
  });

  it("never lets an accepted value leave the route, however a server reads it; never keeps one that could", () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const segment = accepted(value);
        if (segment === undefined) return;
        // One segment that decodes back to the value, and the route check passes it…
        expect(segment).not.toMatch(/[/?#\\]/);
        expect(decodeURIComponent(segment)).toBe(value);
        expect(isPathOfRoute(`${PREFIX}${segment}`, "/base", "/resources/v1/customerprofile/:customerid")).toBe(true);
        // …and no reading of it walks out of the route or onto the route's parent.
        expect(staysOneSegment(segment)).toBe(true);
      }),
      { numRuns: 5_000, seed: 26 },
    );
  });

  it("refuses every value some reading of which leaves the route", () => {
    fc.assert(
      fc.property(anyText, (value) => {
        if (!staysOneSegment(value)) expect(accepted(value)).toBeUndefined();
      }),
      { numRuns: 5_000, seed: 2026 },
    );
  });

  it("checks a built path against its route: segments, fixed parts and each parameter", () => {
    const route = "/v4/orgs/:org_id/customers/:customer_id/categories";
    expect(isPathOfRoute("/v4/orgs/telco/customers/abc/categories", "", route)).toBe(true);
    expect(isPathOfRoute("/api/v4/orgs/telco/customers/abc/categories", "/api", route)).toBe(true);
    expect(isPathOfRoute("/v4/orgs/telco/customers/../categories", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers/%2E%2e/categories", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers//categories", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers/a/b/categories", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers/a?x=1/categories", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers/abc/history", "", route)).toBe(false);
    expect(isPathOfRoute("/v4/orgs/telco/customers/abc/categories", "/api", route)).toBe(false);
  });
});
