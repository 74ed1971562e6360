import { z } from "zod";
import { invalidReasons } from "./kinds.js";

/**
 * Each format's error body as a Zod schema: the codecs' body types are inferred from these, and
 * the contracts declare them as error responses (so OpenAPI shows them). One definition each.
 */

export const CamaraErrorBodySchema = z.object({
  status: z.number().int(),
  code: z.string(),
  message: z.string(),
});

export const citibanamexErrorTypes = ["error", "warn", "invalid", "fatal"] as const;

export const CitibanamexErrorBodySchema = z.object({
  type: z.enum(citibanamexErrorTypes),
  code: z.string(),
  details: z.string().optional(),
  location: z.string().optional(),
  moreInfo: z.string().optional(),
  uuid: z.string().optional(),
  timestamp: z.string().optional(),
});

export const MasstackErrorBodySchema = z.object({
  errors: z.array(z.object({ error: z.object({ code: z.string(), title: z.string(), ref: z.string(), message: z.string() }) })),
});

export const ImiconnectErrorBodySchema = z.object({
  Status: z.number().int(),
  Description: z.string(),
  code: z.string(),
  transid: z.string(),
});

export const ProblemBodySchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  "invalid-params": z.array(z.object({ name: z.string(), reason: z.enum(invalidReasons).optional() })).optional(),
});
