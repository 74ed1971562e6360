import { masstackCodec } from "@insights/errors";
import type { FamilyDialect } from "../../platform/http/family-dialect.js";
import { singleQuotedToJson } from "./single-quoted-json.js";

/** MasStack categories on the wire: its error body, and the single-quoted bodies its published examples send. */
export const categoriesDialect: FamilyDialect = {
  family: "masstack",
  codec: masstackCodec,
  lenientJson: singleQuotedToJson,
  errorContext: () => ({}),
};
