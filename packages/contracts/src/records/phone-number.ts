import { z } from "zod";

/**
 * E.164, as CAMARA's PhoneNumber: "+", a country code that does not start with 0, up to 15 digits.
 * The one definition every reader of a phone number uses (contracts, token verifier, token CLI, imports).
 */
export const E164_PATTERN = /^\+[1-9][0-9]{4,14}$/;

export const PhoneNumberSchema = z.string().regex(E164_PATTERN, "must be E.164, e.g. +34600000001");
