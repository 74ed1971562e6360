import fc from "fast-check";

/**
 * The hostile inputs the fuzz suite mixes into requests: keys that name `Object.prototype`
 * members (a look-up keyed by caller input in a plain object answers them: `x-auth-roles:
 * constructor` once reached a 500), odd Unicode, huge and numeric-looking strings, values of
 * the wrong JSON type.
 */

/** Names every plain object answers through its prototype. */
export const prototypeKeys = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
] as const;

/** Strings that have broken text handling somewhere: control characters, lone surrogates, markup, numbers in disguise. */
export const oddStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0001\u001f\u007f",
  "\r\n",
  "\t",
  "\uD800",
  "x\uDFFFy",
  "\uFEFF",
  "\u202Eevil",
  "\u200B",
  "e\u0301\u0301\u0301",
  "👩‍👩‍👧‍👦",
  "𝕏",
  "ñandú",
  "%",
  "%00",
  "%zz",
  "%E0%A4%A",
  "..",
  ".",
  "../../etc/passwd",
  "<html><body>hi</body></html>",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "\"; DROP TABLE customers; --",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  " 12",
  "12 ",
  "-2147483649",
  "2147483648",
  "9".repeat(400),
  "API_KEY,constructor",
  "CATEGORIES_READER , __proto__",
];

/** A string nobody would send on purpose. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...prototypeKeys) },
  { weight: 4, arbitrary: fc.constantFrom(...oddStrings) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "😀", "\u0000", "%"), fc.integer({ min: 257, max: 12_000 })).map(([s, n]) => s.repeat(n)) },
);

/** A key to add where none is expected. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...prototypeKeys) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "a.b", "a[b]", "x".repeat(300), "\u0000", "ID", "Id") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
);

/** Any JSON value, favouring the shapes that break code expecting a string or a number. */
export const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, 1e308, [], {}, [null], { "": "" }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Ways to break a valid JSON text (`cut` picks where to truncate it): not JSON, or JSON that is not an object. */
export function invalidJson(valid: string, cut: number): string[] {
  return [
    valid.slice(0, cut % Math.max(1, valid.length)),
    valid.replaceAll('"', "'"),
    valid.replace(/}$/, ",}"),
    `${valid}${valid}`,
    `\uFEFF${valid}`,
    `${valid} // comment`,
    ...["", " ", "{", "}", "[", "{'a':", '{"a":}', "NaN", "undefined", "{a:1}", '{"__proto__":{"polluted":1}}', "[".repeat(5000), '{"a":"\\ud800"}'],
    ...["null", "true", "0", "-1", '"text"', "[]", "[{}]", "1e999"],
  ];
}

/**
 * A header value made header-safe the way a raw client would send it: the string's UTF-8 bytes,
 * each as one octet (obs-text), with the control characters HTTP forbids dropped.
 */
export function headerSafe(value: string): string {
  return Buffer.from(value, "utf8")
    .toString("latin1")
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
}

/** A header name HTTP accepts (a token). */
export function isHeaderToken(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}
