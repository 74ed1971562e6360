import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";

fuzzFamily("segments", {
  prepare: async (app) => {
    const credentials = await bearerCredentials(app, [{ scopes: [SEGMENTS_SCOPE] }]);
    const hints = new Map<string, unknown[]>([
      ["customerId", ["321116471234"]],
      ["cardNumber", ["4969452123456110"]],
      ["client_id", ["demo-mobile-app"]],
      ["accept", ["application/json", "*/*", "application/json, text/plain"]],
      ["content-type", ["application/json"]],
      ["countrycode", ["MX"]],
      ["businesscode", ["BCNMX"]],
      ["channelid", ["MOBILE", "BRANCH"]],
    ]);
    return {
      options: () => ({ hints, credentials }),
      watchedTables: ["customers", "e2e_sessions", "api_clients"],
      // The key exchange opens (or repeats) a session when it succeeds.
      writingReads: ["retrievePublicKey", "retrievePublicKeyApi"],
    };
  },
});
