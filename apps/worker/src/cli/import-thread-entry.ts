import { workerData } from "node:worker_threads";
import type { ImportThreadData } from "./import-thread.js";
import { runCli } from "./main.js";

/** The bounded import thread (import-thread.ts): runs the command line as the process would. */
const data = workerData as ImportThreadData;
process.exitCode = await runCli(data.argv, { stderrIsTTY: data.stderrIsTTY });
