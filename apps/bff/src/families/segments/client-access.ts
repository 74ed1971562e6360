import { citibanamexCodes } from "@insights/errors";
import type { Store } from "@insights/store";

export type ChannelRequest = { clientId: string; countryCode: string; businessCode: string; channelId: string };

const notConfigured = (field?: string) =>
  citibanamexCodes.error("accessNotConfigured", { ...(field ? { field } : {}), detail: "The request operation is not configured to access this resource" });

export type ClientAccess = {
  /**
   * The `client_id` must be a client registered in the caller's organisation, and the request's
   * country, business and channel must be among those it was registered for.
   */
  check(orgId: string, request: ChannelRequest): Promise<void>;
  /** Only the client itself (no country/business/channel) — for the key exchange. */
  checkRegistered(orgId: string, clientId: string): Promise<void>;
};

export function clientAccess(store: Store): ClientAccess {
  return {
    async check(orgId, request) {
      const client = await store.findApiClient(orgId, request.clientId);
      const allowed =
        client !== undefined &&
        client.countries.includes(request.countryCode) &&
        client.business_codes.includes(request.businessCode) &&
        client.channels.includes(request.channelId);
      if (!allowed) throw notConfigured();
    },
    async checkRegistered(orgId, clientId) {
      if (!(await store.findApiClient(orgId, clientId))) throw notConfigured("client_id");
    },
  };
}
