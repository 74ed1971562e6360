import { z } from "zod";
import { ExternalIdSchema, integerField, optionalField, recordText } from "./fields.js";

/**
 * A customer's value for one of the organisation's categories (MasStack). Whether the value is
 * one of the category's valid values is checked against the catalogue when the row is applied.
 * An empty value is null (a category may allow null).
 */
export const CategoryAssignmentRecordSchema = z
  .object({
    externalId: ExternalIdSchema,
    categoryId: integerField("must be an integer").pipe(z.number().int().min(-2147483648, "must be an int32").max(2147483647, "must be an int32")),
    value: z.preprocess((value) => (value === "" ? null : value), recordText(z.string({ invalid_type_error: "must be text or null" }).max(200, "must be at most 200 characters")).nullable()),
    description: optionalField(recordText(z.string().max(1000, "must be at most 1000 characters"))),
  })
  .strict();
export type CategoryAssignmentRecord = z.infer<typeof CategoryAssignmentRecordSchema>;
