import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's chromium package installs the browser here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** What a browser test needs to launch Chromium (Playwright adds its own headless flags). */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Chromium for the browser tests: Debian's package, installed with apt-get when missing.
 * Resolves to the executable, or to the reason it cannot be had (the tests then skip, saying why).
 */
export async function ensureChromium(): Promise<{ path: string } | { skipReason: string }> {
  if (await executable(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (process.platform !== "linux" || !(await executable("/usr/bin/apt-get"))) return { skipReason: `${CHROMIUM_PATH} is missing and there is no apt-get to install it` };
  if (process.getuid?.() !== 0) return { skipReason: `${CHROMIUM_PATH} is missing; install it with: sudo apt-get install -y chromium` };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update"], { env, timeout: 300_000 });
    await run("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { env, timeout: 600_000 });
  } catch (error) {
    return { skipReason: `apt-get could not install chromium (${(error as Error).message.split("\n")[0]})` };
  }
  return (await executable(CHROMIUM_PATH)) ? { path: CHROMIUM_PATH } : { skipReason: `apt-get ran but ${CHROMIUM_PATH} is still missing` };
}
