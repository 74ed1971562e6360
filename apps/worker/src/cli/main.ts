import { randomUUID } from "node:crypto";
import { access, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { isMainThread } from "node:worker_threads";
import { ConfigError, createLogger } from "@insights/config";
import { ProductionRefusal, type ImportJob, type ImportReject, type Store } from "@insights/store";
import { loadWorkerConfig, type WorkerConfig } from "../config.js";
import { executeJob, openImportQueue, runImport, sampleLines, startImport, type ImportOutcome } from "@insights/imports";
import { openWorkerRuntime, StoreBusyError, type WorkerRuntime } from "../runtime.js";
import { parseImportArguments, USAGE, UsageError, type ImportCommand } from "./import-arguments.js";
import { ApiError, importThroughApi, printRejectsThroughApi } from "./api-import.js";
import { followJob, NO_WORKER_NOTICE_MS } from "./follow.js";
import { err, out, printSummary, rejectLines, write } from "./output.js";
import { importThreadBounds } from "./import-thread.js";
import { progressReporter } from "./progress.js";

/**
 * `npm run import -- …`: imports a file, writes a sample, or lists a job's rejects; against the
 * store, or with `--api <url> --token <token>` through a running BFF's admin API. Exit 0 / 1 failed / 2 usage.
 * import.ts decides which thread runs it (import-thread.ts: the embedded store's in a bounded one).
 */

/** Whether progress goes to a terminal: a worker thread's stderr is not one, its process's may be. */
type CliOptions = { stderrIsTTY?: boolean };

async function writeSample(command: Extract<ImportCommand, { kind: "sample" }>): Promise<number> {
  let chunk = "";
  for (const line of sampleLines(command)) {
    chunk += `${line}\n`;
    if (chunk.length >= 64 * 1024) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  return 0;
}

async function printRejects(store: Store, jobId: string): Promise<number> {
  if (!/^[0-9a-f-]{36}$/i.test(jobId) || !(await store.findImportJob(jobId))) throw new UsageError(`no import job ${jobId}`);
  let after: ImportReject | undefined;
  for (;;) {
    const page = await store.listImportRejects(jobId, { ...(after ? { after } : {}), limit: 1000 });
    if (page.length === 0) return 0;
    await write(rejectLines(page));
    after = page.at(-1);
  }
}

async function resolveOrg(store: Store, org: string | undefined): Promise<string> {
  if (org !== undefined) {
    if (!(await store.organisationExists(org))) throw new UsageError(`no organisation ${JSON.stringify(org)} in the store`);
    return org;
  }
  const all = await store.listOrganisations();
  const only = all.length === 1 ? all[0] : undefined;
  if (!only) throw new UsageError("name the organisation to import into with --org");
  return only.id;
}

type Logger = ReturnType<typeof createLogger>;

/** PostgreSQL: hands a staged job's chunks to the queue (then stops using it). */
function enqueueOnce(config: WorkerConfig, logger: Logger): (job: ImportJob, chunks: number[]) => Promise<void> {
  return async (job, chunks) => {
    const queue = await openImportQueue({ connectionString: config.database.url ?? "", schema: config.importQueue.schema, chunkExpireSeconds: config.importQueue.chunkExpireSeconds, logger });
    try {
      await queue.enqueue(job, chunks);
    } finally {
      await queue.stop();
    }
  };
}

/** PostgreSQL: follow the job staged in the database (and queued, unless it failed) that the workers run. */
async function followQueuedImport(runtime: WorkerRuntime, staged: { job: ImportJob; chunks: number; records: number }, startedAt: number): Promise<ImportOutcome & { job: string }> {
  if (staged.job.state !== "failed") err(`import ${staged.job.id}: ${staged.records} records staged in ${staged.chunks} chunks, queued for the workers\n`);
  const progress = progressReporter(process.stderr, staged.job.id);
  const job = await followJob(staged.job.id, (id) => runtime.store.findImportJob(id), {
    progress: (j) => progress.update({ rows: j.rows, position: { bytesRead: j.rows.read, totalBytes: staged.records }, startedAt }),
    noWorker: () => err(`no worker has taken import ${staged.job.id} after ${NO_WORKER_NOTICE_MS / 1000} s: start one with npm run worker (same DATABASE_URL)\n`),
  });
  progress.done();
  return { job: job.id, state: job.state === "succeeded" ? "succeeded" : "failed", failure: job.failure, rows: job.rows, seconds: (Date.now() - startedAt) / 1000 };
}

async function importFile(runtime: WorkerRuntime, config: WorkerConfig, command: Extract<ImportCommand, { kind: "import" }>, logger: Logger, options: CliOptions): Promise<number> {
  const dataDir = config.dataDir;
  const file = resolve(command.file);
  await access(file).catch(() => {
    throw new UsageError(`cannot read ${command.file}`);
  });
  const { size } = await stat(file);
  if (size > config.importLimits.maxUploadBytes) {
    throw new UsageError(`${command.file} is larger than ${config.importLimits.maxUploadBytes} bytes (IMPORT_MAX_UPLOAD_MB): nothing was imported`);
  }
  const orgId = await resolveOrg(runtime.store, command.org);
  const deps = { store: runtime.store, logger, limits: config.importLimits };
  const zero = { read: 0, imported: 0, unchanged: 0, rejected: 0 };
  let jobId: string;
  let outcome: ImportOutcome;
  if (command.dryRun) {
    jobId = randomUUID();
    const progress = progressReporter(process.stderr, jobId, options.stderrIsTTY);
    outcome = await runImport(deps, { id: jobId, orgId, dataset: command.dataset, format: command.format, source: file, checkpointLine: 0, rows: zero }, {
      dryRun: true,
      onProgress: progress.update,
      ...(command.batchSize ? { batchSize: command.batchSize } : {}),
    });
    progress.done();
  } else {
    const startedAt = Date.now();
    const started = await startImport(
      deps,
      { dataDir, enqueue: config.database.url ? enqueueOnce(config, logger) : undefined, chunkRecords: command.chunkRows },
      { orgId, dataset: command.dataset, format: command.format, source: { file } },
    );
    jobId = started.job.id;
    if (started.runs === "queued") outcome = await followQueuedImport(runtime, started, startedAt);
    else {
      logger.debug({ job: jobId }, "import staged");
      const progress = progressReporter(process.stderr, jobId, options.stderrIsTTY);
      outcome = await executeJob(deps, started.job, { onProgress: progress.update, ...(command.batchSize ? { batchSize: command.batchSize } : {}) });
      progress.done();
    }
  }
  printSummary(jobId, outcome, { dryRun: command.dryRun, json: command.json, rejectsCommand: `npm run import -- --rejects ${jobId}` });
  return outcome.state === "succeeded" ? 0 : 1;
}

async function main(argv: string[], options: CliOptions): Promise<number> {
  const command = parseImportArguments(argv);
  if (command.kind === "help") {
    out(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === "sample") return writeSample(command);
  if (command.kind === "rejects" && command.api) return printRejectsThroughApi(command.api, command.job);
  if (command.kind === "import" && command.api) return importThroughApi({ ...command, api: command.api });
  const config = loadWorkerConfig();
  const logger = createLogger("insights-worker", config.logLevel, process.stderr);
  if (!isMainThread) logger.debug(importThreadBounds(), "embedded store opened in the bounded import thread");
  const runtime = await openWorkerRuntime(config, logger);
  try {
    if (command.kind === "rejects") return await printRejects(runtime.store, command.job);
    return await importFile(runtime, config, command, logger, options);
  } finally {
    await runtime.close();
  }
}

/** Runs the command line to its exit code: 0, 1 failed, 2 usage or refused as configured. */
export function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  return main(argv, options).catch((error: unknown) => {
    if (error instanceof UsageError) {
      err(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof ProductionRefusal) {
      // Refused as configured (NODE_ENV=production checks among them): nothing was imported.
      err(`${error.message}\n`);
      return 2;
    }
    if (error instanceof StoreBusyError || error instanceof ApiError) {
      err(`${error.message}\n`);
      return 1;
    }
    err(`import failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
}
