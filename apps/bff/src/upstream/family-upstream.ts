import type { Family } from "@insights/errors";
import type { AppRouter } from "@ts-rest/core";
import type { ZodTypeAny } from "zod";
import type { Caller } from "../auth/caller.js";
import type { VendorCredential } from "./config.js";

/** The ids of the request an upstream call is made for. */
export type CallIds = { requestId: string; transactionId: string };

/**
 * What differs between the vendor families when the BFF calls the real vendor: each family
 * describes itself in its own folder (`scoring/upstream.ts`…); the upstream layer never names a vendor.
 */
export type FamilyUpstream = {
  /** The family's wire format: how its error bodies parse. */
  readonly family: Family;
  /** The family's routes (a flat router): the upstream's client is built from it. */
  readonly contract: AppRouter;
  /** Routes that change nothing (GETs and the read-only POSTs): only these are retried. */
  readonly readOnly: readonly string[];
  /** The caller's credential headers, forwarded as received when no vendor credential is configured. */
  readonly callerCredentialHeaders: readonly string[];
  /** Headers that tie the upstream call to this request (propagated from the caller, or generated). */
  correlation(headers: Readonly<Record<string, unknown>>, ids: CallIds): Record<string, string>;
  /** With the BFF's own vendor credential: headers it replaces beyond the credential (Citibanamex `client_id`). */
  vendorHeaders?(credential: VendorCredential): Record<string, string>;
  /**
   * With the BFF's own vendor credential: the request body as the vendor needs it, since the
   * credential no longer says who the caller is (CAMARA: a subscriber-bound caller's phone number).
   */
  vendorBody?(body: unknown, caller: Caller): unknown;
  /** Response headers of a success handed back to the caller (`sid`, `link`). */
  readonly responseHeaders?: readonly string[];
  /** Those headers as our answer carries them (MasStack: a `Link` to the vendor's host becomes one to ours). */
  ourResponseHeaders?(headers: Record<string, string>): Record<string, string>;
  /** An answer that is an error although its status says success (IMIconnect's HTTP 200 errors). */
  isErrorBody?(body: unknown): boolean;
  /** What a success that is not such an error must match, where the contract's 2xx schema admits errors too. */
  readonly successSchema?: ZodTypeAny;
  /** A success body as our answer (IMIconnect: stamped with our transaction id). */
  successBody?(body: unknown, ids: CallIds): unknown;
  /** What an answer carries that ties it to the upstream's logs (IMIconnect's `transid`), for our log line. */
  upstreamIds?(body: unknown): Record<string, unknown>;
};
