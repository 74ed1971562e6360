import { ScoreRecordSchema } from "./scoring.js";

export * from "./phone-number.js";
export * from "./scoring.js";

/** Every record kind the worker imports, by name. */
export const importRecordSchemas = {
  score: ScoreRecordSchema,
} as const;
export type ImportRecordKind = keyof typeof importRecordSchemas;
