import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { teeToRunLog } from "@insights/config/testing";

const appRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs one of the app's entry points from source, as its own process: `tsx` compiles, and the
 * workspace packages resolve to their source through the `@insights/source` condition. What it
 * logs also goes to the run's log.
 */
export function spawnEntry(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--conditions=@insights/source", "--import", "tsx", entry, ...args], {
    cwd: appRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  teeToRunLog(child, `process ${entry}`, entry === "src/main.ts" ? "service" : "command");
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
 * `npm start` (src/main.ts) as its own process on a free port of 127.0.0.1, once it listens.
 * Rejects with the process's output if it ends first or takes longer than `timeoutMs`.
 */
export async function startBffProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<BffProcess> {
  const child = spawnEntry("src/main.ts", [], { PORT: "0", HOST: "127.0.0.1", ...env });
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
