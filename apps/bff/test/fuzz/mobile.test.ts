import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";

fuzzFamily("mobile", {
  prepare: async (app) => {
    // /me takes a token bound to a subscriber (3-legged); the agent routes a client token.
    const subscriber = await bearerCredentials(app, [{ scopes: [MOBILE_SCOPE], phoneNumber: "+34600000001" }, { scopes: [MOBILE_SCOPE], phoneNumber: "+34600000002" }]);
    const client = await bearerCredentials(app, [{ scopes: [MOBILE_SCOPE] }]);
    const hints = new Map<string, unknown[]>([
      ["customerId", ["5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001", "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a4545", "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a9999"]],
      ["phoneNumber", ["+34600000001", "+34600000009"]],
      ["externalId", ["CRM-0001", "OTH-0001"]],
      ["imiconnectCustomerId", ["4545", "100001"]],
      ["masstackCustomerId", ["123e4567-e89b-12d3-a456-556642440000"]],
      ["include", ["profile", "score", "segment,categories", "profile,segment,categories,score"]],
    ]);
    return {
      options: (route) => ({ hints, credentials: route.path === "/mobile/v1/me" ? subscriber : client }),
      watchedTables: ["customers", "customer_categories", "customer_scores"],
    };
  },
});
