import { isMainThread } from "node:worker_threads";
import { loadWorkerConfig } from "../config.js";
import { parseImportArguments } from "./import-arguments.js";
import { runInImportThread } from "./import-thread.js";

/**
 * `npm run import -- …` (main.ts). A command that opens the embedded store runs in a worker
 * thread whose memory is bounded (import-thread.ts); the others (a sample, through the admin API,
 * on PostgreSQL) here. This module loads only what that choice needs: the thread loads the rest.
 */

/** Whether the command opens the embedded store; a command line or configuration in error is reported by main.ts. */
function opensEmbeddedStore(argv: string[]): boolean {
  try {
    const command = parseImportArguments(argv);
    if (command.kind === "help" || command.kind === "sample" || command.api) return false;
    return !loadWorkerConfig().database.url;
  } catch {
    return false;
  }
}

const argv = process.argv.slice(2);
if (isMainThread && opensEmbeddedStore(argv)) {
  process.exitCode = await runInImportThread(argv);
} else {
  const { runCli } = await import("./main.js");
  process.exitCode = await runCli(argv);
}
