import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { E2eSession, Store } from "@insights/store";

const generateRsaKeyPair = promisify(generateKeyPair);

export type E2eSessions = {
  /**
   * A session for this organisation and client: the client's live session while it still has
   * at least half its lifetime ahead, else a new one with a fresh RSA-2048 public key.
   */
  open(orgId: string, clientId: string, now: Date): Promise<E2eSession>;
  /** The session if it is live and belongs to this organisation and client. */
  findLive(sid: string, orgId: string, clientId: string, now: Date): Promise<E2eSession | undefined>;
};

/**
 * The key exchange's sessions, kept in the store so every replica knows every `sid`.
 *
 * Generating an RSA key pair costs tens of milliseconds of CPU, so a caller that asks again and
 * again must not get a new one each time: a client's live session is reused until half its
 * lifetime is spent, which bounds key generation to about two per client per lifetime however
 * often the exchange is called. The private half is never kept — the seed's only operation
 * carries no field encrypted with the session key, so nothing would ever read it
 * (docs/decisions.md).
 */
export function e2eSessions(store: Store, ttlSeconds: number): E2eSessions {
  const ttlMs = ttlSeconds * 1000;
  return {
    async open(orgId, clientId, now) {
      const reusable = await store.findE2eSessionLivingPast(orgId, clientId, new Date(now.getTime() + ttlMs / 2));
      if (reusable) return reusable;
      const { publicKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
      const jwk = publicKey.export({ format: "jwk" });
      const session: E2eSession = {
        sid: randomBytes(24).toString("base64url"),
        orgId,
        clientId,
        modulus: Buffer.from(jwk.n ?? "", "base64url").toString("hex"),
        exponent: Buffer.from(jwk.e ?? "", "base64url").toString("hex"),
        expiresAt: new Date(now.getTime() + ttlMs),
      };
      await store.deleteExpiredE2eSessions(now);
      await store.insertE2eSession(session);
      return session;
    },
    findLive: (sid, orgId, clientId, now) => store.findLiveE2eSession(sid, orgId, clientId, now),
  };
}
