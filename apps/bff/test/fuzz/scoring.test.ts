import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";

fuzzFamily("scoring", {
  prepare: async (app) => {
    // A client (2-legged) token, and one bound to Luis (3-legged), who must not name a phone number.
    const credentials = await bearerCredentials(app, [{ scopes: [SCORING_SCOPE] }, { scopes: [SCORING_SCOPE], phoneNumber: "+34600000001" }]);
    const hints = new Map<string, unknown[]>([
      ["phoneNumber", ["+34600000001", "+34600000002", "+34600000009"]],
      ["idDocument", ["87654321X", "11111111H"]],
    ]);
    return { options: () => ({ hints, credentials }), watchedTables: ["customers", "customer_scores", "customer_identifiers:count"] };
  },
});
