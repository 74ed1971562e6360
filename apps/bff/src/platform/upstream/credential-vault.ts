import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { z } from "zod";
import { httpUrl } from "./config.js";

/**
 * Organisations' own vendor credentials, sealed for the store: AES-256-GCM under a key derived
 * (HKDF-SHA256) from UPSTREAM_CREDENTIALS_KEY, with the organisation and family as associated
 * data — a sealed credential moved to another organisation's row, or another family's, does not
 * open. The store and its backups hold no usable secret; the key never reaches the store.
 */

/** What an organisation gives for a family: OAuth2 client credentials, or the one secret its vendor reads from a header. */
export const OrganisationCredentialSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("oauth2"),
      tokenUrl: httpUrl,
      clientId: z.string().min(1).max(256),
      clientSecret: z.string().min(1).max(1024),
      scope: z.string().min(1).max(1024).optional(),
    })
    .strict(),
  z.object({ kind: z.literal("header"), secret: z.string().min(1).max(8192).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces") }).strict(),
]);
export type OrganisationCredential = z.infer<typeof OrganisationCredentialSchema>;

const VERSION = "v1";

function keyFrom(material: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", material, Buffer.alloc(0), "insights-bff upstream credentials v1", 32));
}

const associatedData = (orgId: string, family: string) => Buffer.from(`${orgId}\u0000${family}`);

export function sealCredential(keyMaterial: Buffer, orgId: string, family: string, credential: OrganisationCredential): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(keyMaterial), iv);
  cipher.setAAD(associatedData(orgId, family));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(OrganisationCredentialSchema.parse(credential)), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString("base64url")}.${sealed.toString("base64url")}`;
}

/** The credential, or undefined when it was not sealed for this organisation and family under this key. */
export function openCredential(keyMaterial: Buffer, orgId: string, family: string, sealed: string): OrganisationCredential | undefined {
  const [version, ivText, body] = sealed.split(".");
  if (version !== VERSION || !ivText || !body) return undefined;
  const iv = Buffer.from(ivText, "base64url");
  const bytes = Buffer.from(body, "base64url");
  if (iv.length !== 12 || bytes.length <= 16) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(keyMaterial), iv, { authTagLength: 16 });
    decipher.setAAD(associatedData(orgId, family));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString("utf8");
    const parsed = OrganisationCredentialSchema.safeParse(JSON.parse(plain));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
