import type { AppError, ErrorCodec } from "@insights/errors";
import type { IdentifierKind } from "@insights/store";
import type { AppRouter } from "@ts-rest/core";
import type { ZodTypeAny } from "zod";
import type { Caller } from "../auth/caller.js";
import type { CredentialScheme, VendorCredential } from "./config.js";

/** A vendor identifier a request names, and the family's error for a customer it does not know. */
export type VendorIdentifier = { kind: IdentifierKind; value: string; unknown: () => AppError };

/** A request as the route's contract validated it, with its caller. */
export type ValidatedRequest = { params: Record<string, unknown>; query: unknown; body: unknown; caller: Caller };

/** The ids of the request an upstream call is made for. */
export type CallIds = { requestId: string; transactionId: string };

/**
 * What differs between the vendor families when the BFF calls the real vendor: each family
 * describes itself in its own folder (`families/<family>/upstream.ts`); the upstream layer never names a vendor.
 */
export type FamilyUpstream = {
  /** The family's wire format: how its error bodies parse (whatever status its errors travel with). */
  readonly codec: ErrorCodec;
  /** The family's routes (a flat router): the upstream's client is built from it. */
  readonly contract: AppRouter;
  /** Routes that change nothing (GETs and the read-only POSTs): only these are retried. */
  readonly readOnly: readonly string[];
  /** The vendor identifiers a route's request names (the store refuses those only other organisations hold). */
  identifiers(route: string, request: ValidatedRequest): VendorIdentifier[];
  /**
   * The request without identifiers of other organisations, where the route answers for several
   * and leaves unknown ones out (a route answering for several customers); absent or undefined: refused as not found.
   */
  withoutIdentifiers?(route: string, request: ValidatedRequest, others: readonly VendorIdentifier[]): ValidatedRequest | undefined;
  /** How the vendor takes the BFF's own credential (the deployment's, or an organisation's). */
  readonly credentials: CredentialScheme;
  /** The caller's credential headers, forwarded as received when no vendor credential is configured. */
  readonly callerCredentialHeaders: readonly string[];
  /** Headers that tie the upstream call to this request (propagated from the caller, or generated). */
  correlation(headers: Readonly<Record<string, unknown>>, ids: CallIds): Record<string, string>;
  /** With a vendor credential (not the caller's): headers it replaces beyond the credential (a client id). */
  vendorHeaders?(credential: VendorCredential): Record<string, string>;
  /**
   * With a vendor credential (not the caller's): the request body as the vendor needs it, since the
   * credential no longer says who the caller is (a subscriber-bound caller's phone number, say).
   */
  vendorBody?(body: unknown, caller: Caller): unknown;
  /** Response headers of a success handed back to the caller (`sid`, `link`). */
  readonly responseHeaders?: readonly string[];
  /** Those headers as our answer carries them, built for the route called (a next page's `Link` on our own route, say). */
  ourResponseHeaders?(headers: Record<string, string>, route: string, request: ValidatedRequest): Record<string, string>;
  /** An answer that is an error although its status says success (errors answered with HTTP 200). */
  isErrorBody?(body: unknown): boolean;
  /** What a success that is not such an error must match, where the contract's 2xx schema admits errors too. */
  readonly successSchema?: ZodTypeAny;
  /** A success body as our answer (stamped with our transaction id, say). */
  successBody?(body: unknown, ids: CallIds): unknown;
  /** What an answer carries that ties it to the upstream's logs (its transaction id), for our log line. */
  upstreamIds?(body: unknown): Record<string, unknown>;
};
