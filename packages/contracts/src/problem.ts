/** RFC 9457 problem details: the schema is owned by `@insights/errors`, which renders them. */
export { ProblemBodySchema as ProblemSchema } from "@insights/errors";
export type { ProblemBody as Problem } from "@insights/errors";
