import { z } from "zod";
import { ExternalIdSchema, integerField } from "./fields.js";

/** Domain records shared by the API contracts and the worker's imports. */

export const scoringScales = ["gaugeMetric", "veritasIndex"] as const;
export const ScoringTypeSchema = z.enum(scoringScales);
export type ScoringType = z.infer<typeof ScoringTypeSchema>;

/** The range of each scale: gaugeMetric 300–850 (higher is lower risk), veritasIndex 0–19 (lower is lower risk). */
export const scoringRanges: Record<ScoringType, { min: number; max: number }> = {
  gaugeMetric: { min: 300, max: 850 },
  veritasIndex: { min: 0, max: 19 },
};

/** One score of one customer (by the organisation's externalId), as imported in bulk. */
export const ScoreRecordSchema = z
  .object({
    externalId: ExternalIdSchema,
    scoringType: z.enum(scoringScales, { errorMap: () => ({ message: `must be one of ${scoringScales.join(", ")}` }) }),
    scoringValue: integerField("must be an integer"),
  })
  .strict()
  .superRefine((record, ctx) => {
    const { min, max } = scoringRanges[record.scoringType];
    if (record.scoringValue < min || record.scoringValue > max) {
      ctx.addIssue({ code: "custom", path: ["scoringValue"], message: `${record.scoringType} is between ${min} and ${max}` });
    }
  });
export type ScoreRecord = z.infer<typeof ScoreRecordSchema>;
