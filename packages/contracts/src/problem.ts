import { z } from "zod";

/** RFC 9457 problem details, as `@insights/errors` renders them for the BFF's own routes. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  "invalid-params": z.array(z.object({ name: z.string(), reason: z.string().optional() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
