import { apiKeyCredentials } from "./credentials.js";
import { fuzzFamily, type FamilySetup } from "./fuzz-family.js";

const setup: FamilySetup = {
  prepare: async () => {
    const credentials = apiKeyCredentials("demo-telco-profile-key", "demo-other-profile-key");
    const hints = new Map<string, unknown[]>([
      ["customerid", ["4545", "100001", "2134", "9999"]],
      ["customerId", ["4545", "100001", ["4545", "2134", "2142"], ["100001", "9999"]]],
    ]);
    return { options: () => ({ hints, credentials }), watchedTables: ["customers:count", "customer_profile_attributes:count", "api_keys"] };
  },
};

// As the vendor (errors under HTTP 200) and with PROFILES_ERROR_HTTP_STATUS=http.
fuzzFamily("profiles", setup);
fuzzFamily("profiles", setup, "http");
