import { z } from "zod";

/**
 * Field schemas shared by the import records. A record arrives from NDJSON (typed JSON values)
 * or CSV (every cell a string), so numbers also accept their decimal text, and an empty optional
 * field means "not carried" (the stored value is kept).
 */

const absentWhenEmpty = (value: unknown) => (value === "" || value === null ? undefined : value);

/** An optional field: "" and null count as absent. */
export function optionalField<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess(absentWhenEmpty, schema.optional());
}

/** An integer given as a JSON number or as its decimal digits. */
export function integerField(message: string) {
  return z.preprocess(
    (value) => (typeof value === "string" && /^-?\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : value),
    z.number({ invalid_type_error: message, required_error: "is required" }).int(message),
  );
}

/** NUL (U+0000) anywhere in a string: PostgreSQL `text` cannot hold it. */
// eslint-disable-next-line no-control-regex -- NUL is exactly the character refused.
const NO_NUL = /^[^\u0000]*$/;

/**
 * Free text kept in the store (as PostgreSQL `text`, which cannot hold NUL): at most `max`
 * characters and no NUL, so such text is refused as invalid instead of failing the insert.
 */
export function storedText(max: number) {
  return z.string().max(max).regex(NO_NUL, "must not contain NUL (U+0000) characters");
}

// eslint-disable-next-line no-control-regex -- the C0 control characters are exactly what is refused.
const NO_CONTROL_BUT_TAB = /^[^\u0000-\u0008\u000A-\u001F]*$/;

/**
 * Free text of an import record (a name, a value, a description): no C0 control character but
 * tab. PostgreSQL `text` cannot hold NUL, and line breaks or escape sequences have no place in
 * these fields and would reach whoever prints them.
 */
export function recordText(schema: z.ZodString) {
  return schema.regex(NO_CONTROL_BUT_TAB, "must not contain control characters (U+0000 to U+001F) other than tab");
}

/** The organisation's own reference for a customer (its natural key in imports). */
export const ExternalIdSchema = z
  .string({ required_error: "is required" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "must be 1 to 128 letters, digits, '.', '_', ':', '/' or '-', starting with a letter or digit");

/** A calendar date, YYYY-MM-DD, that exists. */
export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, "must be a date that exists");

const knownTimeZones = new Map<string, boolean>();
function isTimeZone(value: string): boolean {
  let known = knownTimeZones.get(value);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: value });
      known = true;
    } catch {
      known = false;
    }
    // The cache only grows with distinct names seen; bound it against hostile files.
    if (knownTimeZones.size < 10_000) knownTimeZones.set(value, known);
  }
  return known;
}

/** An IANA time zone name, such as Europe/Madrid. */
export const TimeZoneSchema = z.string().max(64).refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Madrid");
