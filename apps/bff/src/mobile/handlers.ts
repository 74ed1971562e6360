import { customerSearchKeys, overviewSections, type CustomerSearchKey, type mobileContract, type OverviewSectionName } from "@insights/contracts/mobile";
import { AppError } from "@insights/errors";
import type { CustomerSelector, Store } from "@insights/store";
import type { Logger } from "pino";
import type { RouterHandlers } from "../platform/http/ts-rest-adapter.js";
import { gatherSections } from "./overview.js";
import type { SectionProviders } from "./sections.js";

type Contract = typeof mobileContract;

export type MobileHandlerDependencies = {
  store: Store;
  sections: SectionProviders;
  sectionTimeoutMs: number;
  logger: Logger;
  now: () => Date;
};

/** The app may keep an overview, but must revalidate it (ETag / If-None-Match) before using it. */
const CACHEABLE = { "cache-control": "private, no-cache" };

/** How each search key selects a customer: the organisation's own reference, or a vendor identifier. */
const selectorOfSearchKey: Record<CustomerSearchKey, (value: string) => CustomerSelector> = {
  phoneNumber: (value) => ({ kind: "phone", value }),
  externalId: (externalId) => ({ externalId }),
  imiconnectCustomerId: (value) => ({ kind: "imiconnect_customer_id", value }),
  masstackCustomerId: (value) => ({ kind: "masstack_customer_id", value }),
};

/** The mobile API: one subscriber's or one customer's overview, and the search an agent app needs. */
export function mobileHandlers(deps: MobileHandlerDependencies): RouterHandlers<Contract> {
  async function overview(orgId: string, selector: CustomerSelector, include: readonly OverviewSectionName[] | undefined, requestId: string) {
    const customer = await deps.store.findCustomerKeys(orgId, selector);
    // Unknown and another organisation's customer are answered alike.
    if (!customer) throw new AppError("not_found", { detail: "No such customer." });
    const sections = await gatherSections(include ?? overviewSections, customer, { orgId, at: deps.now(), requestId }, {
      providers: deps.sections,
      timeoutMs: deps.sectionTimeoutMs,
      logger: deps.logger,
      requestId,
    });
    return { status: 200 as const, headers: CACHEABLE, body: { customer: { id: customer.id, fullName: customer.fullName }, sections } };
  }

  return {
    // The route's policy admits only tokens bound to a subscriber: the caller has a phone number.
    getMyOverview: async ({ query, caller, requestId }) => overview(caller.orgId, { kind: "phone", value: caller.phoneNumber }, query.include, requestId),
    getCustomerOverview: async ({ params, query, caller, requestId }) => overview(caller.orgId, { customerId: params.customerId }, query.include, requestId),
    searchCustomers: async ({ query, caller }) => {
      const orgId = caller.orgId;
      const key = customerSearchKeys.find((k) => query[k] !== undefined);
      if (key === undefined) throw new AppError("invalid_argument", { field: "phoneNumber", reason: "missing", detail: "One search key is required." });
      const found = await deps.store.findCustomerKeys(orgId, selectorOfSearchKey[key](query[key] as string));
      return { status: 200, body: { customers: found ? [{ id: found.id, fullName: found.fullName }] : [] } };
    },
  };
}
