import { AppError } from "@insights/errors";

/**
 * The one way a value enters the path of a vendor URL, and the check every built path passes
 * before it leaves. A vendor (or a proxy in front of it) may decode a segment once more, fold
 * Unicode compatibility characters, trim spaces, drop control characters, read `\` as `/` or
 * `;` as the start of path parameters; so a value is refused when any of those readings of it is
 * blank, a `.` or `..`, or holds a control character or a separator — not only its literal text.
 */

/** Decodings tried: a value still changing after this many is refused (nothing legitimate is encoded that deep). */
const MAX_DECODINGS = 4;

/**
 * One percent-decoding as a lenient server makes it: each run of `%XX` decoded as UTF-8, or, where
 * the run is not valid UTF-8, its ASCII bytes alone; a `%` not followed by two hex digits stays.
 */
function decodedOnce(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-7][0-9a-fA-F])/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    }
  });
}

/**
 * Every reading of `value` a server could make: as given, then percent-decoded and NFKC-folded in
 * any order, again and again (full-width `％２ｅ` folds to `%2e`, which decodes to `.`); undefined
 * when readings are still appearing after MAX_DECODINGS rounds.
 */
function readingsOf(value: string): Set<string> | undefined {
  const readings = new Set([value]);
  let frontier = [value];
  for (let round = 0; round <= MAX_DECODINGS; round++) {
    const next: string[] = [];
    for (const reading of frontier) {
      for (const derived of [decodedOnce(reading), reading.normalize("NFKC")]) {
        if (!readings.has(derived)) {
          readings.add(derived);
          next.push(derived);
        }
      }
    }
    if (next.length === 0) return readings;
    frontier = next;
  }
  return undefined;
}

/**
 * Servers and URL parsers trim surrounding spaces and drop tabs and newlines (` .. ` and `.\t.`
 * are `..` to them); servlet containers drop a segment's `;parameters` (`..;x` is `..`).
 */
const isDotSegment = (segment: string) => {
  const trimmed = segment.trim();
  return trimmed === "." || trimmed === "..";
};
/** What splits a path, or a segment, for some server: `/`, `\`, `;` (servlet path parameters). */
const SEPARATOR = /[/\\;]/;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether some reading of the value is blank, is a `.` or `..` segment, holds a control
 * character or a separator: an identifier is one segment to every server, never two, never a walk.
 */
function isUnsafeSegment(value: string): boolean {
  const readings = readingsOf(value);
  if (readings === undefined) return true;
  for (const reading of readings) {
    if (reading.trim() === "" || isDotSegment(reading) || CONTROL.test(reading) || SEPARATOR.test(reading)) return true;
  }
  return false;
}

/**
 * `value` as one path segment of a vendor URL (percent-encoded), or the family's invalid-argument
 * error naming `field` — raised before any vendor call.
 */
export function pathSegment(value: unknown, field: string): string {
  const text = typeof value === "string" ? value : String(value);
  const refused = () => new AppError("invalid_argument", { field, reason: "invalid_value", detail: `${field}: not a valid identifier` });
  if (isUnsafeSegment(text)) throw refused();
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate has no UTF-8 form.
    throw refused();
  }
}

/**
 * Whether `path` (no query) is exactly the route `template` (ts-rest's `/a/:param/b`) under
 * `basePath`: the same number of segments, every fixed one equal, every parameter a safe,
 * encoded segment. Nothing else leaves for the vendor.
 */
export function isPathOfRoute(path: string, basePath: string, template: string): boolean {
  const expected = `${basePath}${template}`.split("/");
  const given = path.split("/");
  if (given.length !== expected.length) return false;
  return expected.every((part, i) => {
    const actual = given[i] as string;
    if (!part.startsWith(":")) return actual === part;
    // As sent (encoded): nothing a server splits on; as the value it encodes: a safe segment.
    return actual !== "" && !/[?#;\\\s]/.test(actual) && !isUnsafeSegment(decodedOnce(actual));
  });
}
