import { z } from "zod";
import { ExternalIdSchema, integerField, recordText } from "./fields.js";

/** One IMIconnect attribute of a customer: the column (ID and name) and the customer's value. */
export const ProfileAttributeRecordSchema = z
  .object({
    externalId: ExternalIdSchema,
    columnId: integerField("must be an integer").pipe(z.number().int().min(1, "must be positive").max(2147483647, "must be an int32")),
    name: z.string({ required_error: "is required" }).regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter"),
    value: recordText(z.string({ required_error: "is required", invalid_type_error: "must be text" }).max(1000, "must be at most 1000 characters")).nullable(),
  })
  .strict();
export type ProfileAttributeRecord = z.infer<typeof ProfileAttributeRecordSchema>;
