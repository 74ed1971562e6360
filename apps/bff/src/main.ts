import { pino } from "pino";
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { families } from "./families/index.js";
import { createLifecycle } from "./lifecycle.js";
import { createLogger } from "./logger.js";
import { openRuntime } from "./runtime.js";
import { createMetrics } from "./platform/metrics/metrics.js";
import { listen, shutDown } from "./server.js";
import { createUpstreams } from "./platform/upstream/upstreams.js";

/**
 * Standard output, written asynchronously and in batches: a request never waits on the write
 * system call. Lines are written once 4 KiB of them wait (an access line is ≈ 250 bytes), and
 * whatever waits is written every 100 ms: no line is more than 100 ms late. A write per request
 * had cost 8% of a read's main-thread time. Whatever is pending is flushed on exit (pino
 * registers it); only SIGKILL can lose the last 100 ms.
 */
function logDestination() {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
}

/** `npm start`: configuration → store → app → listen; SIGTERM/SIGINT drain and exit 0. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, logDestination());
  const runtime = await openRuntime(config, logger);
  const lifecycle = createLifecycle();
  const metrics = createMetrics();
  // Built here so that shutdown closes their keep-alive connections after the last request.
  const upstreams = createUpstreams(config.upstream, families, { metrics, logger, store: runtime.store });
  const app = createApp({ config, ...runtime, logger, lifecycle, metrics, upstreams });
  // Before any upload can arrive: staged leftovers are swept, and (embedded store) imports a
  // previous run left unfinished go on from their checkpoints, in the background.
  await runtime.imports.resume();
  const { server, url } = await listen(app, config.host, config.port);

  const store = config.database.url ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`;
  logger.info({ url, store, demoData: runtime.demoDataLoaded }, "insights-bff listening");
  if (config.auth.mode === "development") {
    process.stdout.write(
      `\nInsights BFF listening on ${url} (store: ${store})\n` +
        `Development token: npm run -s token -- --scope customer-insights:scoring:read --phone +34600000001\n` +
        `Readiness:         curl ${url}/readyz\n\n`,
    );
  }

  const stop = (signal: string) => {
    logger.info({ signal }, "signal received");
    shutDown({ server, lifecycle, logger, timeoutMs: config.shutdownTimeoutMs, release: [() => upstreams.close(), ...runtime.release] }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`insights-bff failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
