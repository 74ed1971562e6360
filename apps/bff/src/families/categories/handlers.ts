import { MAX_HISTORY_ENTRIES, type categoriesContract } from "@insights/contracts/categories";
import { masstackCodes } from "@insights/errors";
import type { CatalogueCategory, CategoryWriteResult, CustomerCategory, Store } from "@insights/store";
import type { RouterHandlers } from "../../platform/http/ts-rest-adapter.js";
import { findCustomerCategories } from "./customer-categories.js";
import { nextHistoryLink } from "./history-link.js";

type Contract = typeof categoriesContract;

const notFound = () => masstackCodes.error("MCUS.999.997");

function toWire(category: CustomerCategory) {
  return {
    id: category.id,
    name: category.name,
    value: category.value,
    description: category.description,
    reason: category.reason,
    created_at: category.createdAt.toISOString(),
    updated_at: category.updatedAt.toISOString(),
  };
}

function catalogueToWire(category: CatalogueCategory) {
  return { id: category.id, name: category.name, description: category.description, valid_values: category.validValues, created_at: category.createdAt.toISOString() };
}

/** The outcome of a write as the vendor's status: done, or the documented error. */
function requireDone(result: CategoryWriteResult): void {
  switch (result.outcome) {
    case "done":
      return;
    case "customer_not_found":
      throw notFound();
    case "category_not_found":
      throw masstackCodes.error("MCUS.999.997", { detail: "Category not found" });
    case "invalid_value":
      throw masstackCodes.error("MCUS.999.998", {
        field: "value",
        reason: "invalid_value",
        detail: `value must be one of ${JSON.stringify(result.validValues)}`,
      });
    case "conflict":
      throw masstackCodes.error("MCUS.999.994");
  }
}

/**
 * MasStack customer categories and the catalogue. The routes' policy has already checked the
 * token's organisation (`org_id`), scope and `x-auth-roles`; the token's subject is the actor of changes.
 */
export function categoriesHandlers(store: Store): RouterHandlers<Contract> {
  return {
    getCustomerCategoryHistory: async ({ params, query }) => {
      const limit = query.limit ?? MAX_HISTORY_ENTRIES;
      const page = await store.customerCategoryHistory(params.org_id, params.customer_id, { limit, after: query.cursor });
      if (!page) throw notFound();
      return {
        status: 200,
        ...(page.next !== undefined ? { headers: { link: nextHistoryLink(params.org_id, params.customer_id, limit, page.next) } } : {}),
        body: {
          history: page.entries.map((h) => ({
            category_id: h.categoryId,
            operation: h.operation,
            value: h.value,
            description: h.description,
            reason: h.reason,
            changed_by: h.actor,
            changed_at: h.occurredAt.toISOString(),
          })),
        },
      };
    },
    listCustomerCategories: async ({ params }) => {
      const categories = await findCustomerCategories(store, params.org_id, params.customer_id);
      return { status: 200, body: { categories: categories.map(toWire) } };
    },
    addCustomerCategory: async ({ params, body, caller }) => {
      const result = await store.addCustomerCategory(params.org_id,
        params.customer_id,
        { categoryId: body.id, value: body.value, description: body.description ?? null, reason: body.reason ?? null },
        caller.subject,
      );
      // An id that is not in the catalogue is a bad body, not a missing resource.
      if (result.outcome === "category_not_found") throw masstackCodes.error("MCUS.999.998", { field: "id", reason: "invalid_value", detail: "id: not a category of this organisation" });
      requireDone(result);
      return { status: 201, body: undefined };
    },
    getCustomerCategory: async ({ params }) => {
      const categories = await store.listCustomerCategories(params.org_id, params.customer_id, params.category_id);
      const category = categories?.[0];
      if (!category) throw notFound();
      return { status: 200, body: toWire(category) };
    },
    patchCustomerCategory: async ({ params, body, caller }) => {
      requireDone(await store.patchCustomerCategory(params.org_id, params.customer_id, params.category_id, body, caller.subject));
      return { status: 204, body: undefined };
    },
    deleteCustomerCategory: async ({ params, caller }) => {
      requireDone(await store.removeCustomerCategory(params.org_id, params.customer_id, params.category_id, caller.subject));
      return { status: 204, body: undefined };
    },
    listCategories: async ({ params }) => {
      const catalogue = await store.listCatalogue(params.org_id);
      return {
        status: 200,
        body: {
          categories: catalogue.map(catalogueToWire),
        },
      };
    },
    addCategories: async ({ params, body }) => {
      const result = await store.addCatalogueCategories(params.org_id,
        body.categories.map((c) => ({ name: c.name, description: c.description ?? null, validValues: c.valid_values })),
      );
      // A token may name an organisation the store does not have: its catalogue is not found (not a failed insert).
      if (result.outcome === "organisation_not_found") throw notFound();
      if (result.outcome === "conflict") throw masstackCodes.error("MCUS.999.994", { detail: `a category named ${result.name} exists` });
      return {
        status: 201,
        body: {
          categories: result.created.map(catalogueToWire),
        },
      };
    },
  };
}
