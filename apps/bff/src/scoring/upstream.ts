import { scoringContract, X_CORRELATOR_PATTERN, type ScoringRequest } from "@insights/contracts/scoring";
import { camaraCodes } from "@insights/errors";
import { randomUUID } from "node:crypto";
import type { FamilyUpstream } from "../upstream/family-upstream.js";

/**
 * CAMARA scoring in front of the real vendor: a bearer token (the caller's, or the BFF's own from
 * OAuth2 client credentials, with a subscriber-bound caller's phone number put in the body); the
 * caller's `x-correlator` goes along, or a fresh one. Both retrieve routes only read, so they may
 * be retried.
 */
export const scoringUpstream: FamilyUpstream = {
  family: "camara",
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
