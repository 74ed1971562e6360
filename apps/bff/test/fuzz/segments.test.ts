import { randomUUID } from "node:crypto";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";

fuzzFamily("segments", {
  prepare: async (app) => {
    const credentials = await bearerCredentials(app, [{ scopes: [SEGMENTS_SCOPE] }]);
    // A live session id, so requests that send `sid` can get through.
    const exchange = await fetch(`${app.url}/v1/x-global/security/e2e-gateway/public-key/retrieve`, {
      headers: { authorization: `Bearer ${await app.token({ scopes: [SEGMENTS_SCOPE] })}`, client_id: "demo-mobile-app", accept: "application/json", uuid: randomUUID() },
    });
    const sid = exchange.headers.get("sid");
    if (!sid) throw new Error(`the key exchange gave no sid (${exchange.status})`);
    const hints = new Map<string, unknown[]>([
      ["customerId", ["321116471234"]],
      ["cardNumber", ["4969452123456110"]],
      ["client_id", ["demo-mobile-app"]],
      ["accept", ["application/json", "*/*", "application/json, text/plain"]],
      ["content-type", ["application/json"]],
      ["countrycode", ["MX"]],
      ["businesscode", ["BCNMX"]],
      ["channelid", ["MOBILE", "BRANCH"]],
      ["sid", [sid]],
    ]);
    return {
      options: () => ({ hints, credentials }),
      watchedTables: ["customers", "e2e_sessions", "api_clients"],
      // The key exchange opens (or repeats) a session when it succeeds.
      writingReads: ["retrievePublicKey", "retrievePublicKeyApi"],
    };
  },
});
