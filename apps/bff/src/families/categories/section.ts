import type { CustomerCategoriesSchema } from "@insights/contracts/categories";
import type { Store } from "@insights/store";
import type { z } from "zod";
import { unknownTo, type SectionProvider } from "../../mobile/sections.js";
import type { UpstreamAsk } from "../../mobile/upstream-sections.js";
import { findCustomerCategories } from "./customer-categories.js";

/** The customer's categories by the MasStack customer id the store holds. */
export function localCategoriesSection(store: Store): SectionProvider<"categories"> {
  return async (customer, { orgId }) => {
    if (customer.masstackCustomerId === undefined) throw unknownTo("the categories service");
    const categories = await findCustomerCategories(store, orgId, customer.masstackCustomerId);
    return {
      categories: categories.map((c) => ({ id: c.id, name: c.name, value: c.value, description: c.description, updatedAt: c.updatedAt.toISOString() })),
    };
  };
}

/** The same section asked of the vendor. */
export function upstreamCategoriesSection(ask: UpstreamAsk): SectionProvider<"categories"> {
  return async (customer, context) => {
    if (customer.masstackCustomerId === undefined) throw unknownTo("the categories service");
    const params = { org_id: context.orgId, customer_id: customer.masstackCustomerId };
    const found = await ask<z.infer<typeof CustomerCategoriesSchema>>("The categories service", "listCustomerCategories", { params }, context);
    return { categories: found.categories.map((c) => ({ id: c.id, name: c.name, value: c.value, description: c.description, updatedAt: c.updated_at })) };
  };
}
