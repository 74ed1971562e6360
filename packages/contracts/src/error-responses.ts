import type { z } from "zod";

/** The same error body schema under each of the given statuses, for a route's `responses`. */
export function errorResponses<S extends z.ZodTypeAny, const Statuses extends readonly number[]>(schema: S, statuses: Statuses): { [K in Statuses[number]]: S } {
  return Object.fromEntries(statuses.map((status) => [status, schema])) as { [K in Statuses[number]]: S };
}
