import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

type Finished = { code: number | null; stdout: string; stderr: string };

/**
 * What a user's shell has that the commands need: the PATH and HOME, and how this machine
 * reaches the registry (its CA certificates, a proxy). Node 24's npm reads no global npmrc of
 * the machine's, so without NODE_EXTRA_CA_CERTS its npx retries the registry for minutes.
 */
const USER_ENV = ["PATH", "HOME", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"];
/**
 * And Node's on-disk compile cache (Node 22.1 and later; older versions ignore it): npm, npx,
 * pnpm and the apps load the same modules in every command, and a process given the cache skips
 * compiling what an earlier one compiled. Its entries are checked against the modules' contents.
 */
const COMPILE_CACHE = { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "insights-test-node-compile-cache") };
const userEnv = (): Record<string, string> => ({
  ...Object.fromEntries(USER_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]))),
  ...COMPILE_CACHE,
});

/** `npm run -s <script> -- <args>` in `cwd`, as a user types it; resolves when it ends. */
function npmRun(cwd: string, script: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", script, "--", ...args], {
      cwd,
      env: { ...userEnv(), TURBO_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Each `npm run` wrapper once, end to end, on this built checkout: the install and the builds
 * are current (npm test installed, and turbo built the BFF and the worker before this task), so
 * each goes straight to its entry point — it says nothing on stderr, where it would say why it
 * installs or builds. Every other test of the commands runs their built entry points directly.
 */
describe("npm run token|admin|import|worker and npm start on a built, unchanged checkout", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "commands-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("npm run token prints a token and nothing else", async () => {
    const result = await npmRun(repoRoot, "token", ["--scope", "segments:read"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.trim()).toMatch(JWT);
  }, 120_000);

  it("npm run admin lists organisations", async () => {
    const result = await npmRun(repoRoot, "admin", ["org", "list"], { DATA_DIR: join(dataDir, "admin") });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")[0]).toBe("id\tname\tcreated_at");
  }, 120_000);

  it("npm run import writes a sample file", async () => {
    const result = await npmRun(repoRoot, "import", ["--sample", "scores", "--rows", "2", "--seed", "1"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.trim().split("\n").map((line) => Object.keys(JSON.parse(line) as object).length > 0)).toEqual([true, true]);
  }, 120_000);

  it("npm run worker resumes nothing on a new store and exits when idle", async () => {
    const result = await npmRun(repoRoot, "worker", ["--until-idle"], { DATA_DIR: join(dataDir, "worker") });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain('"msg":"worker ready"');
    expect(result.stdout).toContain('"msg":"worker stopped"');
  }, 120_000);

  it("npm start serves /readyz, and stops on SIGTERM", async () => {
    const child = spawn("npm", ["start"], {
      cwd: repoRoot,
      env: { ...userEnv(), PORT: "0", HOST: "127.0.0.1", DATA_DIR: join(dataDir, "start"), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void closed.then((code) => reject(new Error(`npm start exited ${code} before listening:\n${stdout}\n${stderr}`)));
      });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      process.kill(-child.pid!, "SIGTERM");
    }
    await closed;
    expect(stderr).toBe("");
  }, 120_000);
});

/**
 * The other path, for real: in a copy of this working tree with no node_modules and no dist,
 * the first command installs and builds; an edited source file rebuilds (no install); an
 * edited lockfile reinstalls (the compiled code does not depend on it); after each, the next
 * command goes straight through.
 * turbo in the copy reads this checkout's cache, so only what changed compiles.
 */
describe("npm run token when the install or the build is not current", () => {
  let copy: string;
  beforeAll(() => {
    copy = join(mkdtempSync(join(tmpdir(), "commands-copy-")), "main");
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" });
    if (listed.status !== 0) throw new Error(`this test copies the working tree with git ls-files, which failed: ${listed.stderr}`);
    for (const path of listed.stdout.split("\0").filter(Boolean)) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      copyFileSync(join(repoRoot, path), join(copy, path));
    }
  });
  afterAll(() => rmSync(dirname(copy), { recursive: true, force: true }));

  const token = () => npmRun(copy, "token", ["--scope", "segments:read"], { TURBO_CACHE_DIR: process.env.TURBO_CACHE_DIR ?? join(repoRoot, ".turbo", "cache") });
  const expectStraightThrough = async () => {
    const again = await token();
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(again.stdout.trim()).toMatch(JWT);
  };

  it("installs and builds first, then goes straight through until a source file or the lockfile changes", async () => {
    const first = await token();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toMatch(JWT);
    expect(first.stderr).toContain("install: no stamp: installing");
    expect(first.stderr).toContain("build of @insights/bff: no stamp: building");
    await expectStraightThrough();

    appendFileSync(join(copy, "apps/bff/src/cli/token.ts"), "// edited\n");
    const rebuilt = await token();
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).not.toContain("installing");
    expect(rebuilt.stderr).toContain("build of @insights/bff: apps/bff/src/cli/token.ts changed: building");
    await expectStraightThrough();

    appendFileSync(join(copy, "pnpm-lock.yaml"), "\n# edited\n");
    const reinstalled = await token();
    expect(reinstalled.code, reinstalled.stderr).toBe(0);
    expect(reinstalled.stderr).toBe("install: pnpm-lock.yaml changed: installing\n");
    await expectStraightThrough();
  }, 600_000);
});
