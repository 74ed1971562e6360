import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";

export const DEVELOPMENT_ALGORITHM = "ES256";

export type DevelopmentKeyPair = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

/**
 * The embedded default's signing key: an ES256 pair generated once into DATA_DIR/auth.
 * Only `npm run token` signs with it; the BFF only verifies. Never used in production.
 */
export async function loadOrCreateDevelopmentKeys(dataDir: string): Promise<DevelopmentKeyPair> {
  const dir = join(dataDir, "auth");
  const file = join(dir, "development-signing-key.json");
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(file, "utf8")) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const pair = await generateKeyPair(DEVELOPMENT_ALGORITHM, { extractable: true });
    jwk = { ...(await exportJWK(pair.privateKey)), alg: DEVELOPMENT_ALGORITHM, kid: `dev-${Date.now().toString(36)}` };
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: "wx" });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      jwk = JSON.parse(await readFile(file, "utf8")) as JWK;
    }
  }
  const { d: _private, ...publicJwk } = jwk;
  const privateKey = (await importJWK(jwk, DEVELOPMENT_ALGORITHM)) as CryptoKey;
  return { kid: jwk.kid ?? "dev", privateKey, publicJwk: { ...publicJwk, use: "sig" } };
}
