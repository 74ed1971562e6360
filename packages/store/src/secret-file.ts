import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Reads a secret kept in a file, creating it with fresh random bytes (mode 0600) the first time.
 * Used only by the embedded default; production passes secrets through configuration.
 */
export async function loadOrCreateSecretFile(path: string, bytes = 32): Promise<Buffer> {
  try {
    return Buffer.from((await readFile(path, "utf8")).trim(), "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(bytes);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, secret.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return Buffer.from((await readFile(path, "utf8")).trim(), "hex");
    throw error;
  }
}
