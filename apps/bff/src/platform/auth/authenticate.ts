import type { AuthPolicy } from "@insights/contracts";
import { AppError } from "@insights/errors";
import type { ApiKeyOwner } from "@insights/store";
import type { Request } from "express";
import { anonymous, type Caller } from "./caller.js";
import type { TokenVerifier } from "./token-verifier.js";

export type Authenticators = {
  verifyToken: TokenVerifier;
  authenticateApiKey: (key: string) => Promise<ApiKeyOwner | undefined>;
};

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** Establishes the caller a route's auth policy demands, or throws unauthenticated / permission denied. */
export async function authenticate(policy: AuthPolicy, req: Request, authenticators: Authenticators): Promise<Caller> {
  switch (policy.scheme) {
    case "public":
      return anonymous;
    case "bearer": {
      const header = req.get("authorization");
      const match = header ? BEARER.exec(header) : null;
      if (!match?.[1]) throw new AppError("unauthenticated", { field: "Authorization", detail: "A bearer access token is required." });
      const caller = await authenticators.verifyToken(match[1]);
      const missing = policy.scopes.filter((scope) => !caller.scopes.has(scope));
      if (missing.length > 0) {
        throw new AppError("permission_denied", { field: "Authorization", detail: `The access token lacks the scope ${missing.join(" ")}.` });
      }
      if (policy.binding === "subscriber" && caller.phoneNumber === undefined) {
        throw new AppError("permission_denied", { field: "Authorization", detail: "This route needs a token bound to a subscriber (3-legged, with a phone_number claim)." });
      }
      if (policy.binding === "client" && caller.phoneNumber !== undefined) {
        throw new AppError("permission_denied", { field: "Authorization", detail: "A token bound to a subscriber may not call this route; it needs a client (2-legged) token." });
      }
      return caller;
    }
    case "apiKey": {
      const key = policy.headers.map((name) => req.get(name)).find((value) => value !== undefined && value !== "");
      if (!key) throw new AppError("unauthenticated", { field: policy.headers[0], detail: "An API key is required." });
      const owner = await authenticators.authenticateApiKey(key);
      if (!owner) throw new AppError("unauthenticated", { field: policy.headers[0], detail: "The API key is not valid." });
      return { kind: "apiKey", keyId: owner.keyId, orgId: owner.orgId };
    }
  }
}
