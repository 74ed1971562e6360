import type { AuthPolicy } from "@insights/contracts";

/** A bearer token's caller. */
export type TokenCaller = {
  kind: "token";
  /** The token's `sub`, recorded as the actor of changes. */
  subject: string;
  orgId: string;
  scopes: ReadonlySet<string>;
  /** Present on 3-legged tokens (OIDC `phone_number` claim): the subscriber the token is bound to. */
  phoneNumber: string | undefined;
};

/** A token bound to a subscriber (3-legged). */
export type SubscriberTokenCaller = TokenCaller & { phoneNumber: string };

/** A client's own token (2-legged). */
export type ClientTokenCaller = TokenCaller & { phoneNumber: undefined };

export type ApiKeyCaller = { kind: "apiKey"; keyId: string; orgId: string };

export type AnonymousCaller = { kind: "anonymous" };

/** Who is calling, once the route's policy has authenticated the request. */
export type Caller = TokenCaller | ApiKeyCaller | AnonymousCaller;

/**
 * The caller a route's auth policy admits: what the policy enforcer guarantees before the
 * handler runs, so a handler never checks the kind of its caller again.
 */
export type CallerOf<A extends AuthPolicy> = A extends { scheme: "public" }
  ? AnonymousCaller
  : A extends { scheme: "apiKey" }
    ? ApiKeyCaller
    : A extends { scheme: "bearer"; binding: "subscriber" }
      ? SubscriberTokenCaller
      : A extends { scheme: "bearer"; binding: "client" }
        ? ClientTokenCaller
        : TokenCaller;

export const anonymous: Caller = { kind: "anonymous" };
