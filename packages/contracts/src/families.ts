import type { Family } from "@insights/errors";

/**
 * Which wire format a path belongs to, by prefix. Every request, matched or not, is answered
 * in the format of the family its path falls under; anything else is the BFF's own (RFC 9457).
 */
export const familyPrefixes: readonly (readonly [prefix: string, family: Family])[] = [
  ["/camara/", "camara"],
  ["/customer-insights/", "camara"],
  ["/api/v1/", "citibanamex"],
  ["/v1/customers/", "citibanamex"],
  ["/v1/x-global/", "citibanamex"],
  ["/v4/", "masstack"],
  ["/resources/", "imiconnect"],
];

export function familyOfPath(path: string): Family {
  for (const [prefix, family] of familyPrefixes) {
    if (path.startsWith(prefix)) return family;
  }
  return "problem";
}
