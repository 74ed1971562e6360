import { pino } from "pino";
import { loadWorkerConfig } from "./config.js";
import { startWorker } from "./worker.js";

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = pino({ level: config.logLevel, base: { service: "insights-worker" } });
  const worker = await startWorker(config, logger);
  const stop = () => {
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`insights-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
