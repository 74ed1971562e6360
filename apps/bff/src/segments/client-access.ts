import { citibanamexCodes } from "@insights/errors";
import { findApiClient, type Store } from "@insights/store";

export type ChannelRequest = { clientId: string; countryCode: string; businessCode: string; channelId: string };

/**
 * The `client_id` must be a client registered in the caller's organisation, and the request's
 * country, business and channel must be among those it was registered for.
 */
export async function checkClientAccess(store: Store, orgId: string, request: ChannelRequest): Promise<void> {
  const client = await findApiClient(store.db, orgId, request.clientId);
  const allowed =
    client !== undefined &&
    client.countries.includes(request.countryCode) &&
    client.business_codes.includes(request.businessCode) &&
    client.channels.includes(request.channelId);
  if (!allowed) throw citibanamexCodes.error("accessNotConfigured", { detail: "The request operation is not configured to access this resource" });
}

/** Only the client itself (no country/business/channel) — for the key exchange. */
export async function checkClientRegistered(store: Store, orgId: string, clientId: string): Promise<void> {
  if (!(await findApiClient(store.db, orgId, clientId))) {
    throw citibanamexCodes.error("accessNotConfigured", { field: "client_id", detail: "The request operation is not configured to access this resource" });
  }
}
