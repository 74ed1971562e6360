import type { segmentsContract } from "@insights/contracts/segments";
import { citibanamexCodes } from "@insights/errors";
import type { Store } from "@insights/store";
import type { SegmentsConfig } from "../../config.js";
import type { RouteHandler, RouterHandlers } from "../../platform/http/ts-rest-adapter.js";
import { clientAccess } from "./client-access.js";
import { findCustomerSegment } from "./customer-segment.js";
import { e2eSessions } from "./e2e-sessions.js";

type Contract = typeof segmentsContract;

/** Segment retrieval and the key exchange, each served at its documented path and under `/api`. */
export function segmentsHandlers(store: Store, config: SegmentsConfig, now: () => Date): RouterHandlers<Contract> {
  const sessions = e2eSessions(store, config.sessionTtlSeconds);
  const clients = clientAccess(store);

  async function requireLiveSession(sid: string | undefined, orgId: string, clientId: string, at: Date) {
    if (sid === undefined) return undefined;
    const session = await sessions.findLive(sid, orgId, clientId, at);
    if (!session) throw citibanamexCodes.error("unAuthorized", { field: "sid", detail: "The session is unknown or has expired" });
    return session;
  }

  const retrieveSegment: RouteHandler<Contract["retrieveSegment"]> = async ({ headers, body, caller }) => {
    const { orgId } = caller;
    const at = now();
    await requireLiveSession(headers.sid, orgId, headers.client_id, at);
    await clients.check(orgId, {
      clientId: headers.client_id,
      countryCode: headers.countrycode,
      businessCode: headers.businesscode,
      channelId: headers.channelid,
    });
    const customer = await findCustomerSegment(store, { orgId, customerId: body.customerId || undefined, cardNumber: body.cardNumber || undefined }, at);
    return { status: 200, body: { customer } };
  };

  const retrievePublicKey: RouteHandler<Contract["retrievePublicKey"]> = async ({ headers, caller }) => {
    const { orgId } = caller;
    const at = now();
    await clients.checkRegistered(orgId, headers.client_id);
    const session = (await requireLiveSession(headers.sid, orgId, headers.client_id, at)) ?? (await sessions.open(orgId, headers.client_id, at));
    return {
      status: 200,
      headers: { sid: session.sid },
      body: { modulus: session.modulus, exponent: session.exponent, expiresAt: session.expiresAt.toISOString() },
    };
  };

  return {
    retrieveSegment,
    retrieveSegmentApi: retrieveSegment,
    retrievePublicKey,
    retrievePublicKeyApi: retrievePublicKey,
  };
}
