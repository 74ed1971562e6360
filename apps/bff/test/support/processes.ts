import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { teeToRunLog } from "@insights/config/testing";

const appRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Node's on-disk compile cache for the processes the tests start (Node 22.1 and later; older
 * versions ignore the variable): they load the same built modules again and again, and a
 * process given the cache skips compiling what an earlier one compiled (0.5-1 s a start on a
 * busy machine). Its entries are checked against the modules' contents.
 */
export const COMPILE_CACHE = { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "insights-test-node-compile-cache") };

/**
 * Runs one of the app's built entry points (`dist/…`, what `npm start` and `npm run admin` run;
 * the test task depends on the build, and vitest.built-entries.ts builds it for a direct vitest
 * run) as its own process. What it logs also goes to the run's log.
 */
export function spawnEntry(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: appRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...COMPILE_CACHE, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  teeToRunLog(child, `process ${entry}`, entry === "dist/main.js" ? "service" : "command");
  return child;
}

export type Finished = { code: number | null; stdout: string; stderr: string };

export function collect(child: ChildProcess): { output: () => Finished; finished: Promise<Finished> } {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const finished = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { output, finished };
}

export async function runEntry(entry: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return collect(spawnEntry(entry, args, env)).finished;
}

export type BffProcess = { url: string; child: ChildProcess; output: () => Finished; stop(): Promise<Finished> };

/**
 * `npm start` (dist/main.js) as its own process on a free port of 127.0.0.1, once it listens.
 * Rejects with the process's output if it ends first or takes longer than `timeoutMs`.
 */
export async function startBffProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<BffProcess> {
  const child = spawnEntry("dist/main.js", [], { PORT: "0", HOST: "127.0.0.1", ...env });
  const { output, finished } = collect(child);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output().stdout)?.[1];
    if (url) {
      const stop = () => {
        child.kill("SIGTERM");
        return finished;
      };
      return { url, child, output, stop };
    }
    const { code, stdout, stderr } = output();
    if (code !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the BFF did not start (exit ${code ?? "none"}):\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
