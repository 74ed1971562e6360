import { describe, expect, it } from "vitest";
import {
  CategoryAssignmentRecordSchema,
  CustomerRecordSchema,
  importDatasetFields,
  importRecordSchemas,
  ProfileAttributeRecordSchema,
  ScoreRecordSchema,
  sensitiveRecordFields,
} from "../src/records/index.js";

describe("score record", () => {
  it("accepts a score within its scale's range, as a number or as CSV text", () => {
    expect(ScoreRecordSchema.parse({ externalId: "C-1", scoringType: "gaugeMetric", scoringValue: 600 }).scoringValue).toBe(600);
    expect(ScoreRecordSchema.parse({ externalId: "C-1", scoringType: "veritasIndex", scoringValue: "4" }).scoringValue).toBe(4);
  });

  it.each([
    [{ externalId: "C-1", scoringType: "gaugeMetric", scoringValue: 299 }, "scoringValue"],
    [{ externalId: "C-1", scoringType: "veritasIndex", scoringValue: 20 }, "scoringValue"],
    [{ externalId: "C-1", scoringType: "veritasIndex", scoringValue: "4.5" }, "scoringValue"],
    [{ externalId: "", scoringType: "veritasIndex", scoringValue: 1 }, "externalId"],
    [{ externalId: "C-1", scoringType: "fico", scoringValue: 1 }, "scoringType"],
    [{ externalId: "C-1", scoringType: "veritasIndex", scoringValue: 1, extra: 1 }, ""],
  ])("refuses %o (at %s)", (record, path) => {
    const result = ScoreRecordSchema.safeParse(record);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".")).toBe(path);
  });
});

describe("customer record", () => {
  const luis = {
    externalId: "CRM-0001",
    fullName: "Luis Diaz Salinas",
    phoneNumber: "+34600000001",
    idDocument: "87654321X",
    birthDate: "1985-03-14",
    timeZone: "America/Mexico_City",
    lineType: "consumer",
    segment: "20",
    citibanamexCustomerId: "321116471234",
    cardNumber: "4969452123456110",
    masstackCustomerId: "123e4567-e89b-12d3-a456-556642440000",
    imiconnectCustomerId: "100001",
  };

  it("accepts every field, and only externalId and fullName are required", () => {
    expect(CustomerRecordSchema.parse(luis)).toEqual(luis);
    expect(CustomerRecordSchema.parse({ externalId: "CRM-2", fullName: "Ana" })).toEqual({ externalId: "CRM-2", fullName: "Ana" });
  });

  it("reads empty and null optional fields as absent (the stored value is kept)", () => {
    expect(CustomerRecordSchema.parse({ externalId: "CRM-2", fullName: "Ana", phoneNumber: "", segment: null })).toEqual({ externalId: "CRM-2", fullName: "Ana" });
  });

  it.each([
    ["phoneNumber", "600000001"],
    ["birthDate", "1985-02-30"],
    ["birthDate", "14/03/1985"],
    ["timeZone", "Mars/Olympus"],
    ["lineType", "prepaid"],
    ["masstackCustomerId", "not-a-uuid"],
    ["citibanamexCustomerId", "1234567890123"],
    ["fullName", " "],
  ])("refuses a bad %s", (field, value) => {
    const result = CustomerRecordSchema.safeParse({ ...luis, [field]: value });
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it.each([
    ["cardNumber", "4969-4521-2345-6110"],
    ["cardNumber", "49694521234561101234"],
    ["idDocument", "87654321X!"],
  ])("never repeats a refused %s in its message", (field, value) => {
    expect(sensitiveRecordFields.has(field)).toBe(true);
    const issue = CustomerRecordSchema.safeParse({ ...luis, [field]: value }).error?.issues[0];
    expect(issue?.path).toEqual([field]);
    expect(issue?.message).not.toContain(value);
    expect(issue?.message).not.toContain("4969");
  });
});

describe("profile attribute and category assignment records", () => {
  it("accepts an attribute with a column id as number or text", () => {
    expect(ProfileAttributeRecordSchema.parse({ externalId: "C-1", columnId: "8574", name: "msisdn", value: "34600000001" }).columnId).toBe(8574);
    expect(ProfileAttributeRecordSchema.safeParse({ externalId: "C-1", columnId: 0, name: "msisdn", value: "x" }).error?.issues[0]?.path).toEqual(["columnId"]);
  });

  it("reads an empty category value as null and keeps a missing description absent", () => {
    expect(CategoryAssignmentRecordSchema.parse({ externalId: "C-1", categoryId: "214748364", value: "", description: "" })).toEqual({
      externalId: "C-1",
      categoryId: 214748364,
      value: null,
    });
    expect(CategoryAssignmentRecordSchema.safeParse({ externalId: "C-1", categoryId: 1 }).success).toBe(false);
  });

  it("lists each dataset's fields in header order", () => {
    expect(Object.keys(importRecordSchemas)).toEqual(["customers", "scores", "profile-attributes", "category-assignments"]);
    expect(importDatasetFields.scores).toEqual(["externalId", "scoringType", "scoringValue"]);
    expect(importDatasetFields.customers[0]).toBe("externalId");
  });
});
