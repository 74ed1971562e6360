import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordTestSecret } from "@insights/config/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eachHostileFileEndsAsDocumented, hostileFiles } from "./hostile-files.js";
import { IMPORT_CLI, run, runBff, type Finished, type Running } from "./processes.js";

/**
 * `npm run import -- … --api <url> --token <token>`: the CLI as a real process, through a real BFF
 * process (embedded store in a temp DATA_DIR) and a token its own token CLI signed.
 */

const samples = fileURLToPath(new URL("../samples/", import.meta.url));

let root: string;
let dataDir: string;
let bff: Running;
let api: string;
let token: string;
let readOnlyToken: string;
/** Organisation `other`'s: the next organisation's import after a hostile one. */
let otherToken: string;

async function mint(scopes: string[], org = "telco"): Promise<string> {
  const minted = await runBff("dist/cli/token.js", [...scopes.flatMap((s) => ["--scope", s]), "--org", org], { DATA_DIR: dataDir, LOG_LEVEL: "warn" }).finished;
  if (minted.code !== 0) throw new Error(`npm run token failed:\n${minted.stderr}`);
  recordTestSecret("token", minted.stdout.trim(), "a token npm run token minted");
  return minted.stdout.trim();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worker-api-cli-"));
  dataDir = join(root, "data");
  bff = runBff("dist/main.js", [], { PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn" });
  const listening = await bff.waitFor((line) => /listening on http:\/\/\S+/.test(line), 60_000);
  api = /listening on (http:\/\/\S+)/.exec(listening)?.[1] ?? "";
  [token, readOnlyToken, otherToken] = await Promise.all([mint(["imports:write", "imports:read"]), mint(["imports:read"]), mint(["imports:write", "imports:read"], "other")]);
}, 120_000);

afterAll(async () => {
  if (bff) {
    bff.child.kill("SIGTERM");
    await bff.finished;
  }
  await rm(root, { recursive: true, force: true });
}, 60_000);

const cli = (args: string[]): Promise<Finished> => run(IMPORT_CLI, args, { DATA_DIR: join(root, "unused"), LOG_LEVEL: "warn" }).finished;
const through = () => ["--api", api, "--token", token];

type Summary = { job: string; state: string; rows: Record<string, number>; seconds: number };
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Summary;

describe("npm run import -- … --api <url> --token <token>", () => {
  it("imports a sample file through the BFF, follows the job, and ends with the same JSON line as a local import", async () => {
    const file = join(samples, "customers.ndjson");
    const lines = (await readFile(file, "utf8")).trim().split("\n").length;
    const result = await cli([file, "--dataset", "customers", "--json", ...through()]);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJson(result.stdout);
    expect(Object.keys(summary)).toEqual(["job", "state", "failure", "rows", "seconds"]);
    expect(summary).toMatchObject({ state: "succeeded", rows: { read: lines, rejected: 0 } });
    expect((summary.rows.imported ?? 0) + (summary.rows.unchanged ?? 0)).toBe(lines);
    expect(summary.seconds).toBeGreaterThan(0);
    expect(result.stdout).toContain(`job ${summary.job} succeeded`);
    expect(result.stderr).toContain(`import ${summary.job}: uploaded to ${api}`);

    // The job is the BFF's: the admin API answers for it.
    const job = await fetch(`${api}/admin/v1/imports/${summary.job}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await job.json()).toMatchObject({ id: summary.job, state: "succeeded", rows: summary.rows });

    // Again, from a CSV (its format from the name): every row is now unchanged.
    const again = await cli([join(samples, "customers.csv"), "--dataset", "customers", "--json", ...through()]);
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ state: "succeeded", rows: { read: lines, imported: 0, unchanged: lines, rejected: 0 } });
    for (const output of [result, again]) expect(output.stdout + output.stderr).not.toContain(token);
  }, 120_000);

  it("lists the rejected rows through the admin API, page after page", async () => {
    const sample = await cli(["--sample", "customers", "--rows", "1100", "--bad", "1050", "--seed", "3"]);
    const file = join(root, "customers.ndjson.gz");
    const { gzipSync } = await import("node:zlib");
    await writeFile(file, gzipSync(sample.stdout));

    const result = await cli([file, "--dataset", "customers", "--json", ...through()]);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJson(result.stdout);
    expect(summary).toMatchObject({ state: "succeeded", rows: { read: 1100, imported: 50 } });
    expect(summary.rows.rejected).toBeGreaterThan(1000);
    expect(result.stdout).toContain(`npm run import -- --rejects ${summary.job} --api ${api} --token <token>`);

    const rejects = await cli(["--rejects", summary.job, ...through()]);
    expect(rejects.code, rejects.stderr).toBe(0);
    const lines = rejects.stdout.trim().split("\n");
    expect(lines).toHaveLength(summary.rows.rejected ?? 0);
    for (const line of lines) expect(line).toMatch(/^\d+\t(phoneNumber|birthDate|cardNumber)\t.+$/);
    expect(new Set(lines).size).toBe(lines.length);
    expect(rejects.stderr).toBe("");

    const unknown = await cli(["--rejects", "00000000-0000-4000-8000-000000000000", ...through()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no import job");
  }, 120_000);

  it("exits 1 with the BFF's problem on a wrong token or a missing scope, never printing the token", async () => {
    const file = join(samples, "scores.csv");
    const wrong = `${token.slice(0, -4)}AAAA`;
    const refused = await cli([file, "--dataset", "scores", "--api", api, "--token", wrong]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/answered 401, \S/);
    expect(refused.stdout + refused.stderr).not.toContain(wrong);
    expect(refused.stderr).not.toContain("usage:");

    const forbidden = await cli([file, "--dataset", "scores", "--api", api, "--token", readOnlyToken]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/answered 403, \S/);
    expect(forbidden.stdout + forbidden.stderr).not.toContain(readOnlyToken);

    const rejects = await cli(["--rejects", "00000000-0000-4000-8000-000000000000", "--api", api, "--token", "not-a-jwt"]);
    expect(rejects.code).toBe(1);
    expect(rejects.stderr).toMatch(/answered 401/);
    expect(rejects.stderr).not.toContain("not-a-jwt");

    const unreachable = await cli([file, "--dataset", "scores", "--api", "http://127.0.0.1:9", "--token", token]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach the BFF at http://127.0.0.1:9");
    expect(unreachable.stderr).not.toContain(token);
  }, 120_000);

  it("without --api, is refused by the BFF holding the embedded store, and told to use --api and --token", async () => {
    const refused = await run(IMPORT_CLI, [join(samples, "scores.csv"), "--dataset", "scores"], { DATA_DIR: dataDir, LOG_LEVEL: "warn" }).finished;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is held by process ${bff.child.pid}`);
    expect(refused.stderr).toContain("--api <");
    expect(refused.stderr).toContain("--token <token>");
  }, 60_000);

  it("exits 2 on a usage error", async () => {
    const file = join(samples, "scores.csv");
    for (const [args, says] of [
      [[file, "--dataset", "scores", "--api", "http://127.0.0.1:3000"], "--api needs --token"],
      [[file, "--dataset", "scores", "--token", "secret-token"], "--token goes with --api"],
      [[file, "--dataset", "scores", "--api", "ftp://127.0.0.1", "--token", "secret-token"], "http:// or https://"],
      [[file, "--dataset", "scores", "--api", "localhost:3000x", "--token", "secret-token"], "--api"],
      [[file, "--dataset", "scores", "--org", "telco", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "--org does not go with --api"],
      [[file, "--dataset", "scores", "--dry-run", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "--dry-run does not go with --api"],
      [[file, "--dataset", "pets", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "unknown dataset"],
      [[join(root, "missing.csv"), "--dataset", "scores", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "cannot read"],
      [[root, "--dataset", "scores", "--format", "csv", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "cannot read"],
      [["--rejects", "not-a-job", "--api", "http://127.0.0.1:3000", "--token", "secret-token"], "no import job"],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(says);
      expect(result.stderr).toContain("usage:");
      expect(result.stderr).not.toContain("secret-token");
    }
  }, 120_000);
});

/**
 * The files of the imports security review (hostile-files.ts), uploaded as a tenant with
 * imports:write would: each job ends with its documented outcome, the process stays up and
 * answers, nothing stays staged, and the next import still succeeds.
 */
describe("hostile files through the admin API of a real BFF process (embedded store)", () => {
  const rejectsOf = async (job: string) => {
    const listed = await cli(["--rejects", job, ...through()]);
    expect(listed.code, listed.stderr).toBe(0);
    return listed.stdout;
  };
  const stillServing = async () => {
    expect(bff.child.exitCode).toBeNull();
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect(await readdir(join(dataDir, "imports")).catch(() => [])).toEqual([]);
    // The next organisation's import still succeeds.
    const next = await cli([join(samples, "customers.ndjson"), "--dataset", "customers", "--json", "--api", api, "--token", otherToken]);
    expect(lastJson(next.stdout)).toMatchObject({ state: "succeeded" });
  };

  // The embedded store's admin API: it also runs the files run once per store.
  eachHostileFileEndsAsDocumented({ importFile: (file, dataset) => cli([file, "--dataset", dataset, "--json", ...through()]), rejectsOf, stillServing }, () => root, { storeWide: true });

  it("the admin API's rejects page escapes control characters too", async () => {
    const file = await hostileFiles.find((h) => h.name.startsWith("a key made of terminal escapes"))!.write(root);
    const summary = lastJson((await cli([file, "--dataset", "customers", "--json", ...through()])).stdout);
    const page = await fetch(`${api}/admin/v1/imports/${summary.job}/rejects`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await page.json()) as { rejects: unknown[] }).rejects).toEqual([{ line: 1, field: "(record)", message: "unknown field" }]);
  }, 120_000);
});
