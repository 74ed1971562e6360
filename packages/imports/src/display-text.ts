// Text of a job (a reject's field and message, its error) as the CLI prints it and the API
// returns it: control characters are written as escapes, so no stored text — whatever an older
// version let through — can move a cursor, retitle a terminal or break a TSV line.

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

// eslint-disable-next-line no-control-regex -- the control characters are exactly what is escaped.
const NEEDS_ESCAPE = /[\\\u0000-\u001F\u007F-\u009F]/g;

/** `\\`, `\t`, `\n` and `\r` as such, every other C0, DEL and C1 control character as `\xNN`. */
export function escapeControlCharacters(text: string): string {
  return text.replace(NEEDS_ESCAPE, (character) => ESCAPES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
