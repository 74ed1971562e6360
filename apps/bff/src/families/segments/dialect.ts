import { citibanamexCodec, type CitibanamexContext } from "@insights/errors";
import { headerMatching, type FamilyDialect } from "../../platform/http/family-dialect.js";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Citibanamex segments on the wire: its error body names the request by the client's `uuid` header
 * (when it is one); the key exchange answers with a `sid` header.
 */
export const segmentsDialect: FamilyDialect<CitibanamexContext> = {
  family: "citibanamex",
  codec: citibanamexCodec,
  exposedHeaders: ["sid"],
  errorContext: (req) => ({ requestUuid: headerMatching(req, "uuid", UUID) }),
};
