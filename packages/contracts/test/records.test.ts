import { describe, expect, it } from "vitest";
import { ScoreRecordSchema } from "../src/records/index.js";

describe("score record", () => {
  it("accepts a score within its scale's range", () => {
    expect(ScoreRecordSchema.safeParse({ phoneNumber: "+34600000001", scoringType: "gaugeMetric", scoringValue: 600 }).success).toBe(true);
  });

  it.each([
    [{ phoneNumber: "+34600000001", scoringType: "gaugeMetric", scoringValue: 299 }, "scoringValue"],
    [{ phoneNumber: "+34600000001", scoringType: "veritasIndex", scoringValue: 20 }, "scoringValue"],
    [{ phoneNumber: "600000001", scoringType: "veritasIndex", scoringValue: 1 }, "phoneNumber"],
    [{ phoneNumber: "+34600000001", scoringType: "fico", scoringValue: 1 }, "scoringType"],
    [{ phoneNumber: "+34600000001", scoringType: "veritasIndex", scoringValue: 1, extra: 1 }, ""],
  ])("refuses %o (at %s)", (record, path) => {
    const result = ScoreRecordSchema.safeParse(record);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".")).toBe(path);
  });
});
