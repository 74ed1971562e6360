import { scoringContract, X_CORRELATOR_PATTERN } from "@insights/contracts/scoring";
import { randomUUID } from "node:crypto";
import type { FamilyUpstream } from "../upstream/family-upstream.js";

/**
 * CAMARA scoring in front of the real vendor: a bearer token (the caller's, or the BFF's own from
 * OAuth2 client credentials); the caller's `x-correlator` goes along, or a fresh one. Both
 * retrieve routes only read, so they may be retried.
 */
export const scoringUpstream: FamilyUpstream = {
  family: "camara",
  contract: scoringContract,
  readOnly: ["retrieveScoring", "retrieveScoringV02"],
  callerCredentialHeaders: ["authorization"],
  correlation(headers) {
    const given = headers["x-correlator"];
    return { "x-correlator": typeof given === "string" && given !== "" && X_CORRELATOR_PATTERN.test(given) ? given : randomUUID() };
  },
};
