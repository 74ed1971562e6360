import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE, categoriesContract } from "@insights/contracts/categories";
import type { AppRoute } from "@ts-rest/core";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";

fuzzFamily("categories", {
  prepare: async (app) => {
    const credentials = await bearerCredentials(app, [{ scopes: [CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE], subject: "fuzz" }]);
    const hints = new Map<string, unknown[]>([
      ["org_id", ["telco"]],
      // Mostly Luis (telco), sometimes the other organisation's customer and category.
      ["customer_id", ["123e4567-e89b-12d3-a456-556642440000", "123e4567-e89b-12d3-a456-556642440000", "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01"]],
      ["category_id", ["214748364", "214748365", "214748365", "300000001"]],
      ["id", [214748364, 214748365]],
      ["value", ["influencer", "employee", "standard", null, "low", "high"]],
      // Role names a look-up keyed by caller input in a plain object would answer.
      ["x-auth-roles", ["API_KEY", "CATEGORIES_WRITER", "API_KEY, CATEGORIES_WRITER", "CATEGORIES_READER", "constructor", "__proto__ , API_KEY", "toString", "hasOwnProperty"]],
    ]);
    const writer = await app.token({ scopes: [CATEGORIES_WRITE_SCOPE], subject: "fuzz" });
    const luis = `${app.url}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories`;
    const headers = { authorization: `Bearer ${writer}`, "content-type": "application/json" };
    // Luis keeps both telco categories at the start of every route's run, so patches and deletes
    // can succeed; adding starts with churn_risk removed, so an add can succeed too.
    const restore = async (route: string) => {
      for (const [id, value] of [[214748364, "influencer"], [214748365, "low"]] as const) {
        const r = await fetch(luis, { method: "POST", headers, body: JSON.stringify({ id, value }) });
        if (r.status !== 201 && r.status !== 409) throw new Error(`could not restore category ${id}: ${r.status}`);
      }
      if (route === "categories.addCustomerCategory") {
        const r = await fetch(`${luis}/214748365`, { method: "DELETE", headers });
        if (r.status !== 204) throw new Error(`could not remove category 214748365: ${r.status}`);
      }
    };
    // An add succeeds only for churn_risk (the category restore removed) with one of its values on
    // Luis: weighted so that a run of 200 requests all but surely has one (with even hints, by estimate
    // about 1 run in 6 had none).
    const addHints = new Map(hints)
      .set("customer_id", ["123e4567-e89b-12d3-a456-556642440000", "123e4567-e89b-12d3-a456-556642440000", "123e4567-e89b-12d3-a456-556642440000", "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01"])
      .set("id", [214748365, 214748365, 214748365, 214748364])
      .set("value", ["low", "medium", "high", "influencer", null]);
    const options = (route: AppRoute) => ({ hints: route === categoriesContract.addCustomerCategory ? addHints : hints, credentials });
    return { options, beforeRoute: restore, watchedTables: ["categories", "customer_categories", "customer_category_history:count", "customers:count"] };
  },
});
