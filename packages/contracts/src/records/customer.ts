import { z } from "zod";
import { ExternalIdSchema, IsoDateSchema, optionalField, recordText, TimeZoneSchema } from "./fields.js";
import { CardNumberSchema, CitibanamexCustomerIdSchema, IdDocumentSchema, ImiconnectCustomerIdSchema, MasstackCustomerIdSchema } from "./identifiers.js";
import { PhoneNumberSchema } from "./phone-number.js";

export const lineTypes = ["consumer", "business"] as const;
export const LineTypeSchema = z.enum(lineTypes, { errorMap: () => ({ message: "must be consumer or business" }) });

/** Citibanamex customerSegment. */
export const SegmentCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1 to 32 letters, digits, '-' or '_'");

/** Record fields that are stored only as keyed hashes and never echoed. */
export const sensitiveRecordFields: ReadonlySet<string> = new Set(["idDocument", "cardNumber"]);

/**
 * One customer of an organisation, keyed by its `externalId`. Optional fields that are absent
 * (or empty) keep the stored value.
 */
export const CustomerRecordSchema = z
  .object({
    externalId: ExternalIdSchema,
    fullName: recordText(z.string({ required_error: "is required" }).trim().min(1, "must not be empty").max(200, "must be at most 200 characters")),
    phoneNumber: optionalField(PhoneNumberSchema),
    idDocument: optionalField(IdDocumentSchema),
    birthDate: optionalField(IsoDateSchema),
    timeZone: optionalField(TimeZoneSchema),
    lineType: optionalField(LineTypeSchema),
    segment: optionalField(SegmentCodeSchema),
    citibanamexCustomerId: optionalField(CitibanamexCustomerIdSchema),
    cardNumber: optionalField(CardNumberSchema),
    masstackCustomerId: optionalField(MasstackCustomerIdSchema),
    imiconnectCustomerId: optionalField(ImiconnectCustomerIdSchema),
  })
  .strict();
export type CustomerRecord = z.infer<typeof CustomerRecordSchema>;
