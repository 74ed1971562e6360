import { AppError } from "@insights/errors";

/**
 * The one way a value enters the path of a vendor URL, and the check every built path passes
 * before it leaves. A vendor (or a proxy in front of it) may decode a segment once more, fold
 * Unicode compatibility characters, trim spaces, drop control characters, or read `\` as `/`; so a
 * value is refused when any of those readings of it is blank, holds a control character or a `.`
 * or `..` segment — not only its literal text.
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

/** Every reading of `value` a server could make: as given, percent-decoded again and again, NFKC-folded. */
function readingsOf(value: string): string[] | undefined {
  const readings: string[] = [];
  let current = value;
  for (let n = 0; n <= MAX_DECODINGS; n++) {
    readings.push(current, current.normalize("NFKC"));
    const next = decodedOnce(current);
    if (next === current) return readings;
    current = next;
  }
  return undefined;
}

/** Servers and URL parsers trim surrounding spaces and drop tabs and newlines: ` .. ` and `.\t.` are `..` to them. */
const isDotSegment = (segment: string) => {
  const trimmed = segment.trim();
  return trimmed === "." || trimmed === "..";
};
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether some reading of the value is blank, holds a control character, or walks the path (a
 * `.` or `..` between `/` or `\`).
 */
export function isUnsafeSegment(value: string): boolean {
  const readings = readingsOf(value);
  if (readings === undefined) return true;
  return readings.some((reading) => reading.trim() === "" || CONTROL.test(reading) || reading.split(/[/\\]/).some(isDotSegment));
}

/**
 * `value` as one path segment of a vendor URL (percent-encoded), or the family's invalid-argument
 * error naming `field` — raised before any vendor call.
 */
export function pathSegment(value: unknown, field: string): string {
  const text = typeof value === "string" ? value : String(value);
  if (isUnsafeSegment(text)) {
    throw new AppError("invalid_argument", { field, reason: "invalid_value", detail: `${field}: not a valid identifier` });
  }
  return encodeURIComponent(text);
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
    return actual !== "" && !/[?#\\\s]/.test(actual) && !isUnsafeSegment(actual);
  });
}
