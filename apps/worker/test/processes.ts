import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { teeToRunLog } from "@insights/config/testing";

const appRoot = fileURLToPath(new URL("..", import.meta.url));
/** The BFF's app, whose entry points a test runs as processes of their own (no package dependency). */
const bffRoot = fileURLToPath(new URL("../../bff", import.meta.url));

/** Hex, 32 bytes: every process of a test hashes identifiers alike, so their tables compare. */
export const TEST_HASH_KEY = "07".repeat(32);

/**
 * Node's on-disk compile cache for the processes the tests start (Node 22.1 and later; older
 * versions ignore the variable): they load the same built modules again and again, and a
 * process given the cache skips compiling what an earlier one compiled (0.5-1 s a start on a
 * busy machine). Its entries are checked against the modules' contents.
 */
export const COMPILE_CACHE = { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "insights-test-node-compile-cache") };

/**
 * Runs one of the worker's (or, with the BFF's root as cwd, the BFF's) built entry points
 * (`dist/…`, what `npm run import|worker` run; the test task depends on both builds, and
 * vitest.built-entries.ts builds them for a direct vitest run) as its own process. What it logs
 * also goes to the run's log.
 */
export function spawnEntry(entry: string, args: string[], env: Record<string, string>, cwd = appRoot): ChildProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", IDENTIFIER_HASH_KEY: TEST_HASH_KEY, ...COMPILE_CACHE, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  teeToRunLog(child, `process ${cwd === appRoot ? "" : "bff "}${entry}`, entry === "dist/main.js" ? "service" : "command");
  return child;
}

export type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export type Running = {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  finished: Promise<Finished>;
  /** Resolves when a line of stdout or stderr satisfies the test (rejects if the process ends first). */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
};

export function run(entry: string, args: string[], env: Record<string, string>, cwd = appRoot): Running {
  const child = spawnEntry(entry, args, env, cwd);
  let stdout = "";
  let stderr = "";
  const watchers = new Set<(line: string) => void>();
  const onLines = (chunk: string, previous: string) => {
    const start = previous.lastIndexOf("\n") + 1;
    for (const line of (previous.slice(start) + chunk).split("\n").slice(0, -1)) for (const w of watchers) w(line);
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    onLines(chunk, stdout);
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    onLines(chunk, stderr);
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    output: () => ({ stdout, stderr }),
    finished,
    waitFor: (test, timeoutMs = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting; output so far:\n${stdout}\n${stderr}`)), timeoutMs);
        const watcher = (line: string) => {
          if (!test(line)) return;
          clearTimeout(timer);
          watchers.delete(watcher);
          resolve(line);
        };
        watchers.add(watcher);
        void finished.then(() => {
          if (!watchers.has(watcher)) return;
          clearTimeout(timer);
          reject(new Error(`the process ended first:\n${stdout}\n${stderr}`));
        });
      }),
  };
}

export const IMPORT_CLI = "dist/cli/import.js";

/** The BFF (`npm start`) and its development token CLI (`npm run token`), run from the BFF's app. */
export const runBff = (entry: "dist/main.js" | "dist/cli/token.js" | "dist/cli/admin.js", args: string[], env: Record<string, string>) => run(entry, args, env, bffRoot);
export const WORKER_MAIN = "dist/main.js";

/** A pino line of a committed batch, with its checkpoint line. */
export function checkpointOf(line: string): number | undefined {
  if (!line.includes("import batch committed")) return undefined;
  return (JSON.parse(line) as { checkpointLine: number }).checkpointLine;
}
