import { createCipheriv, generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { deleteExpiredE2eSessions, findLiveE2eSession, insertE2eSession, type E2eSession, type IdentifierHasher, type Store } from "@insights/store";

const generateRsaKeyPair = promisify(generateKeyPair);

/** AES-256-GCM under a key derived from the identifier secret: iv | tag | ciphertext, base64url. */
function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

export type E2eSessions = {
  /** A new session with a fresh RSA-2048 key pair for this organisation and client. */
  create(orgId: string, clientId: string, now: Date): Promise<E2eSession>;
  /** The session if it is live and belongs to this organisation and client. */
  findLive(sid: string, orgId: string, clientId: string, now: Date): Promise<E2eSession | undefined>;
};

/** The key exchange's sessions, kept in the store so every replica knows every `sid`. */
export function e2eSessions(store: Store, hasher: IdentifierHasher, ttlSeconds: number): E2eSessions {
  const keyEncryptionKey = hasher.deriveKey("e2e-session-private-keys");
  return {
    async create(orgId, clientId, now) {
      const { publicKey, privateKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
      const jwk = publicKey.export({ format: "jwk" });
      const session: E2eSession = {
        sid: randomBytes(24).toString("base64url"),
        orgId,
        clientId,
        modulus: Buffer.from(jwk.n ?? "", "base64url").toString("hex"),
        exponent: Buffer.from(jwk.e ?? "", "base64url").toString("hex"),
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      };
      const privatePem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      await deleteExpiredE2eSessions(store.db, now);
      await insertE2eSession(store.db, { ...session, privateKeyEncrypted: encrypt(keyEncryptionKey, privatePem) });
      return session;
    },
    findLive: (sid, orgId, clientId, now) => findLiveE2eSession(store.db, sid, orgId, clientId, now),
  };
}
