/** Who is calling, once the route's policy has authenticated the request. */
export type Caller =
  | {
      kind: "token";
      /** The token's `sub`, recorded as the actor of changes. */
      subject: string;
      orgId: string;
      scopes: ReadonlySet<string>;
      /** Present on 3-legged tokens (OIDC `phone_number` claim): the subscriber the token is bound to. */
      phoneNumber: string | undefined;
    }
  | { kind: "apiKey"; keyId: string; orgId: string }
  | { kind: "anonymous" };

export const anonymous: Caller = { kind: "anonymous" };
