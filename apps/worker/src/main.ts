import { parseArgs } from "node:util";
import { ConfigError, createLogger } from "@insights/config";
import { loadWorkerConfig } from "./config.js";
import { startWorker } from "./worker.js";

/** `npm run worker [-- --until-idle]`: resumes unfinished imports; --until-idle exits once they are done. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "until-idle": { type: "boolean", default: false } } });
  const config = loadWorkerConfig();
  const logger = createLogger("insights-worker", config.logLevel);
  const worker = await startWorker(config, logger);
  const stop = () => {
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  worker.resumed.then(
    () => {
      if (values["until-idle"]) stop();
    },
    (error: unknown) => {
      logger.error({ err: error }, "resuming imports failed");
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `insights-worker failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
