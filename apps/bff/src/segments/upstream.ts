import { segmentsContract, type SegmentRequest } from "@insights/contracts/segments";
import { citibanamexCodes } from "@insights/errors";
import type { FamilyUpstream } from "../upstream/family-upstream.js";

/**
 * Citibanamex segments in front of the real bank: the caller's `Authorization` and `client_id`,
 * or the BFF's own (OAuth2 client credentials, whose client id is also the `client_id` header).
 * The request's `uuid` (required by the contract) travels with it; the key exchange's `sid`
 * comes back. Segment retrieval only reads, and the key exchange is a GET: all may be retried.
 */
export const segmentsUpstream: FamilyUpstream = {
  family: "citibanamex",
  contract: segmentsContract,
  readOnly: ["retrieveSegment", "retrieveSegmentApi", "retrievePublicKey", "retrievePublicKeyApi"],
  identifiers: (_route, { body }) => {
    const { customerId, cardNumber } = (body ?? {}) as Partial<SegmentRequest>;
    const unknown = () => citibanamexCodes.error("resourceNotFound");
    return [
      ...(customerId ? [{ kind: "citibanamex_customer_id" as const, value: customerId, unknown }] : []),
      ...(cardNumber ? [{ kind: "card_number" as const, value: cardNumber, unknown }] : []),
    ];
  },
  callerCredentialHeaders: ["authorization"],
  // `uuid` is one of the contract's headers: it is forwarded as sent.
  correlation: () => ({}),
  vendorHeaders: (credential): Record<string, string> => (credential.kind === "oauth2" ? { client_id: credential.clientId } : {}),
  responseHeaders: ["sid"],
};
