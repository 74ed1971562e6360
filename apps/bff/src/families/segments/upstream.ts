import { segmentsContract, type SegmentRequest } from "@insights/contracts/segments";
import { citibanamexCodec, citibanamexCodes } from "@insights/errors";
import { z } from "zod";
import { clientCredentialsScheme, providerEnvShape } from "../../platform/upstream/config.js";
import type { FamilyUpstream } from "../../platform/upstream/family-upstream.js";

/** The bank takes OAuth2 client credentials (SEGMENTS_UPSTREAM_TOKEN_URL…). */
const credentials = clientCredentialsScheme("SEGMENTS");

/** The family's upstream variables: SEGMENTS_PROVIDER, SEGMENTS_UPSTREAM_URL…, its client credentials, and the channel the overview's section names. */
export const segmentsEnvShape = {
  ...providerEnvShape("SEGMENTS"),
  ...credentials.envShape,
  SEGMENTS_UPSTREAM_CHANNEL: z
    .string()
    .regex(/^[A-Z]{2}:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{1,32}$/, "must be countryCode:businessCode:ChannelId, e.g. MX:BCNMX:MOBILE")
    .optional(),
};

/** Citibanamex's `countryCode`, `businessCode` and `ChannelId` of the BFF's own client. */
export type SegmentsChannel = { countryCode: string; businessCode: string; channelId: string };

/** SEGMENTS_UPSTREAM_CHANNEL (validated) as the channel: what the mobile overview's segment section tells the bank it is. */
export function segmentsChannel(value: string | undefined): SegmentsChannel | undefined {
  const [countryCode, businessCode, channelId] = value?.split(":") ?? [];
  return countryCode && businessCode && channelId ? { countryCode, businessCode, channelId } : undefined;
}

/**
 * Citibanamex segments in front of the real bank: the caller's `Authorization` and `client_id`,
 * or the BFF's own (OAuth2 client credentials, whose client id is also the `client_id` header).
 * The request's `uuid` (required by the contract) travels with it; the key exchange's `sid`
 * comes back. Segment retrieval only reads, and the key exchange is a GET: all may be retried.
 */
export const segmentsUpstream: FamilyUpstream = {
  codec: citibanamexCodec,
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
  credentials: credentials.scheme,
  callerCredentialHeaders: ["authorization"],
  // `uuid` is one of the contract's headers: it is forwarded as sent.
  correlation: () => ({}),
  vendorHeaders: (credential): Record<string, string> => (credential.kind === "oauth2" ? { client_id: credential.clientId } : {}),
  responseHeaders: ["sid"],
};
