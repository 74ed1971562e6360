import { masstackCodes } from "@insights/errors";
import type { CustomerCategory, Store } from "@insights/store";

/**
 * A customer's categories by MasStack customer UUID: the domain function the vendor route and the
 * mobile overview share. An unknown customer and another organisation's are the same MCUS.999.997.
 */
export async function findCustomerCategories(store: Store, orgId: string, masstackId: string): Promise<CustomerCategory[]> {
  const categories = await store.listCustomerCategories(orgId, masstackId);
  if (!categories) throw masstackCodes.error("MCUS.999.997");
  return categories;
}
