// Input never reaches a message as it came: of the keys a dataset does not have, only those that
// look like field names are named (any other key could be a terminal escape or a whole record).

/** A key that reads as a field name: only such a key is named in a message (any other could be anything). */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const NAMED_UNKNOWN_FIELDS = 5;

/**
 * The message for keys (or CSV columns: `noun`) the dataset does not have: it names the ones
 * that look like names (five at most), never the others' text.
 */
export function unknownFieldsMessage(keys: readonly string[], noun = "field"): string {
  const named = keys.filter((key) => FIELD_NAME.test(key));
  const nouns = keys.length > 1 ? `${noun}s` : noun;
  if (named.length === 0) return `unknown ${nouns}`;
  const others = keys.length - Math.min(named.length, NAMED_UNKNOWN_FIELDS);
  return `unknown ${nouns}: ${named.slice(0, NAMED_UNKNOWN_FIELDS).join(", ")}${others > 0 ? ` and ${others} more` : ""}`;
}
