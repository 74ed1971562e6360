import { z } from "zod";

/**
 * Each vendor's key for a customer, as imported. Messages never repeat the value: card numbers
 * and identity documents must not reach logs or reject lists.
 */

/** Longest identity document accepted, by the scoring API and by imports alike. */
export const MAX_ID_DOCUMENT_LENGTH = 40;

/** CAMARA idDocument: national identity document. */
export const IdDocumentSchema = z
  .string({ invalid_type_error: "must be text" })
  .regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9 -]{2,${MAX_ID_DOCUMENT_LENGTH - 1}}$`), `must be 3 to ${MAX_ID_DOCUMENT_LENGTH} letters, digits, spaces or hyphens`);

/** Citibanamex customerId: up to 12 digits. */
export const CitibanamexCustomerIdSchema = z.string({ invalid_type_error: "must be text" }).regex(/^\d{1,12}$/, "must be 1 to 12 digits");

/** Citibanamex cardNumber: the card's digits (the segments API accepts up to 16). */
export const CardNumberSchema = z.string({ invalid_type_error: "must be text" }).regex(/^\d{12,16}$/, "must be 12 to 16 digits");

/** MasStack customer id. */
export const MasstackCustomerIdSchema = z.string({ invalid_type_error: "must be text" }).uuid("must be a UUID");

/** Longest client-specific customer id accepted (the seed sets none; documented in docs/profiles.md). */
export const MAX_CUSTOMER_REF_LENGTH = 128;

/**
 * IMIconnect client-specific customer id ("such as CRN", the seed says, with no pattern): any
 * printable text up to MAX_CUSTOMER_REF_LENGTH characters, so e-mail- or MSISDN-shaped ids work.
 * Control characters are refused. (A pattern without Unicode classes, so the OpenAPI document
 * carries it as is.)
 */
export const ImiconnectCustomerIdSchema = z
  .string({ invalid_type_error: "must be text" })
  .regex(new RegExp(`^[^\\u0000-\\u001F\\u007F-\\u009F]{1,${MAX_CUSTOMER_REF_LENGTH}}$`), `must be 1 to ${MAX_CUSTOMER_REF_LENGTH} printable characters`);
