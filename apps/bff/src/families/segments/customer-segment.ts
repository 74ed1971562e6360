import type { SegmentResponse } from "@insights/contracts/segments";
import { citibanamexCodes } from "@insights/errors";
import type { SegmentLookupRequest, Store } from "@insights/store";
import { isBirthdayToday } from "./birthday.js";

/**
 * A customer's segment and birthday flag by Citibanamex customerId and/or card number: the one
 * domain function the vendor route and the mobile overview share. Throws the vendor's documented
 * errors (resourceNotFound; businessValidationFailed when the two keys name different customers).
 */
export async function findCustomerSegment(store: Store, request: SegmentLookupRequest, at: Date): Promise<SegmentResponse["customer"]> {
  const { customerId, cardNumber } = request;
  const found = await store.lookupSegment(request);
  if (customerId !== undefined && cardNumber !== undefined) {
    if (found.byCustomerId === undefined && found.byCardNumber === undefined) throw citibanamexCodes.error("resourceNotFound");
    if (found.byCustomerId !== found.byCardNumber) {
      throw citibanamexCodes.error("businessValidationFailed", { field: "cardNumber", detail: "customerId and cardNumber belong to different customers" });
    }
  }
  const customer = found.customer;
  if (!customer || customer.segment === null) throw citibanamexCodes.error("resourceNotFound");
  return {
    fullName: customer.fullName,
    customerSegment: customer.segment,
    birthdayTodayFlag: isBirthdayToday(customer.birthDate, customer.timeZone, at),
  };
}
