/**
 * Rewrites single-quoted strings as JSON strings, leaving double-quoted ones untouched. MasStack's
 * published curl examples send `{'id': 214748364, 'value': 'influencer'}`; its clients copy them,
 * so the categories family accepts that form (and only that family: see dialect.ts).
 * Returns undefined when the text has no single-quoted string to rewrite.
 */
export function singleQuotedToJson(text: string): string | undefined {
  let out = "";
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy a double-quoted string as it is, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (ch !== "'") {
      out += ch;
      continue;
    }
    changed = true;
    let value = "";
    let j = i + 1;
    for (; j < text.length && text[j] !== "'"; j++) {
      if (text[j] === "\\" && text[j + 1] === "'") {
        value += "'";
        j++;
      } else if (text[j] === "\\") {
        value += text.slice(j, j + 2);
        j++;
      } else if (text[j] === '"') {
        value += '\\"';
      } else {
        value += text[j];
      }
    }
    if (j >= text.length) return undefined;
    out += `"${value}"`;
    i = j;
  }
  return changed ? out : undefined;
}
