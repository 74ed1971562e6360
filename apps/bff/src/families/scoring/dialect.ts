import { X_CORRELATOR_PATTERN } from "@insights/contracts/scoring";
import { camaraCodec, type CamaraContext } from "@insights/errors";
import type { Request } from "express";
import { headerMatching, type FamilyDialect } from "../../platform/http/family-dialect.js";

/**
 * CAMARA echoes a non-empty `x-correlator` on every response, errors included — but only one that
 * matches its pattern: the official document's header schema allows no other value, so a
 * correlator that breaks it gets its 400 without the echo.
 */
function correlator(req: Request): string | undefined {
  return headerMatching(req, "x-correlator", X_CORRELATOR_PATTERN);
}

/** CAMARA scoring on the wire: `{status, code, message}` errors and the `x-correlator` echo. */
export const scoringDialect: FamilyDialect<CamaraContext> = {
  family: "camara",
  codec: camaraCodec,
  echoHeaders(req, res) {
    const value = correlator(req);
    if (value) res.setHeader("x-correlator", value);
  },
  exposedHeaders: ["x-correlator"],
  errorContext: (req) => ({ correlator: correlator(req) }),
};
