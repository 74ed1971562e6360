import { randomUUID } from "node:crypto";
import type { SegmentResponse } from "@insights/contracts/segments";
import type { Store } from "@insights/store";
import { unknownTo, type SectionProvider } from "../../mobile/sections.js";
import { withoutCredential, type UpstreamAsk } from "../../mobile/upstream-sections.js";
import type { SegmentsChannel } from "./upstream.js";
import { findCustomerSegment } from "./customer-segment.js";

/** The customer's segment and birthday flag by the Citibanamex customer id the store holds. */
export function localSegmentSection(store: Store): SectionProvider<"segment"> {
  return async (customer, { orgId, at }) => {
    if (customer.citibanamexCustomerId === undefined) throw unknownTo("the bank");
    const found = await findCustomerSegment(store, { orgId, customerId: customer.citibanamexCustomerId, cardNumber: undefined }, at);
    return { segment: found.customerSegment, birthdayToday: found.birthdayTodayFlag };
  };
}

/** The same section asked of the bank, as the channel SEGMENTS_UPSTREAM_CHANNEL names (unavailable without one). */
export function upstreamSegmentSection(ask: UpstreamAsk, channel: SegmentsChannel | undefined): SectionProvider<"segment"> {
  return async (customer, context) => {
    const vendor = "The bank";
    if (customer.citibanamexCustomerId === undefined) throw unknownTo("the bank");
    if (!channel) throw withoutCredential(vendor);
    const headers = {
      accept: "application/json",
      "content-type": "application/json",
      uuid: randomUUID(),
      countrycode: channel.countryCode,
      businesscode: channel.businessCode,
      channelid: channel.channelId,
    };
    const found = await ask<SegmentResponse>(vendor, "retrieveSegment", { headers, body: { customerId: customer.citibanamexCustomerId } }, context);
    return { segment: found.customer.customerSegment, birthdayToday: found.customer.birthdayTodayFlag };
  };
}
