import { CategoryAssignmentRecordSchema } from "./category-assignment.js";
import { CustomerRecordSchema } from "./customer.js";
import { ProfileAttributeRecordSchema } from "./profile-attribute.js";
import { ScoreRecordSchema } from "./scoring.js";

export * from "./category-assignment.js";
export * from "./customer.js";
export * from "./fields.js";
export * from "./identifiers.js";
export * from "./phone-number.js";
export * from "./profile-attribute.js";
export * from "./scoring.js";

/** Every dataset the worker imports, by name, with the schema each of its rows must pass. */
export const importRecordSchemas = {
  customers: CustomerRecordSchema,
  scores: ScoreRecordSchema,
  "profile-attributes": ProfileAttributeRecordSchema,
  "category-assignments": CategoryAssignmentRecordSchema,
} as const;
export type ImportDataset = keyof typeof importRecordSchemas;
export const importDatasets = Object.keys(importRecordSchemas) as ImportDataset[];

/** The record type of each dataset, after validation. */
export type ImportRecord<D extends ImportDataset> = (typeof importRecordSchemas)[D]["_output"];

/** The fields each dataset's rows may carry, in the order sample files and CSV headers use. */
export const importDatasetFields: Record<ImportDataset, readonly string[]> = {
  customers: Object.keys(CustomerRecordSchema.shape),
  scores: Object.keys(ScoreRecordSchema.innerType().shape),
  "profile-attributes": Object.keys(ProfileAttributeRecordSchema.shape),
  "category-assignments": Object.keys(CategoryAssignmentRecordSchema.shape),
};
