import { scoringContract, X_CORRELATOR_PATTERN, type ScoringRequest } from "@insights/contracts/scoring";
import { camaraCodec, camaraCodes } from "@insights/errors";
import { randomUUID } from "node:crypto";
import { clientCredentialsScheme, providerEnvShape } from "../../platform/upstream/config.js";
import type { FamilyUpstream } from "../../platform/upstream/family-upstream.js";

/** The vendor takes OAuth2 client credentials (SCORING_UPSTREAM_TOKEN_URL…). */
const credentials = clientCredentialsScheme("SCORING");

/** The family's upstream variables: SCORING_PROVIDER, SCORING_UPSTREAM_URL… and its client credentials. */
export const scoringEnvShape = { ...providerEnvShape("SCORING"), ...credentials.envShape };

/**
 * CAMARA scoring in front of the real vendor: a bearer token (the caller's, or the BFF's own from
 * OAuth2 client credentials, with a subscriber-bound caller's phone number put in the body); the
 * caller's `x-correlator` goes along, or a fresh one. Both retrieve routes only read, so they may
 * be retried.
 */
export const scoringUpstream: FamilyUpstream = {
  codec: camaraCodec,
  contract: scoringContract,
  readOnly: ["retrieveScoring", "retrieveScoringV02"],
  identifiers: (_route, { body, caller }) => {
    const { phoneNumber, idDocument } = (body ?? {}) as Partial<ScoringRequest>;
    const phone = phoneNumber ?? (caller.kind === "token" ? caller.phoneNumber : undefined);
    return [
      ...(phone ? [{ kind: "phone" as const, value: phone, unknown: () => camaraCodes.error("IDENTIFIER_NOT_FOUND") }] : []),
      ...(idDocument ? [{ kind: "id_document" as const, value: idDocument, unknown: () => camaraCodes.error("NOT_FOUND") }] : []),
    ];
  },
  credentials: credentials.scheme,
  callerCredentialHeaders: ["authorization"],
  correlation(headers) {
    const given = headers["x-correlator"];
    return { "x-correlator": typeof given === "string" && given !== "" && X_CORRELATOR_PATTERN.test(given) ? given : randomUUID() };
  },
  // The BFF's own token is a client's (2-legged): a subscriber-bound caller's phone number goes in the body.
  vendorBody(body, caller) {
    const subscriber = caller.kind === "token" ? caller.phoneNumber : undefined;
    if (subscriber === undefined) return body;
    const request = body as ScoringRequest;
    if (request.phoneNumber !== undefined) throw camaraCodes.error("UNNECESSARY_IDENTIFIER");
    return { ...request, phoneNumber: subscriber };
  },
};
