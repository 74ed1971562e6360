import { Transform, type Readable } from "node:stream";
import type { ImportDataset } from "@insights/contracts/records";
import { createJobScheduler, openImportQueue, resumeUnfinishedJobs, startImport, sweepStagedFiles, type ImportFormat, type ImportLimits, type ImportPlace, type ImportQueue } from "@insights/imports";
import { AppError } from "@insights/errors";
import { ActiveImportLimitReached, type ImportJob, type Store } from "@insights/store";
import type { Logger } from "pino";

/**
 * When the BFF imports in-process, each batch is sized to take about this long to write, and
 * requests are served between batches: they share the embedded store's one connection and the
 * event loop with the import, so this is about the most an import adds to a request's latency.
 */
const IN_PROCESS_SLICE_MS = 10;

/** When a refused upload may try again: about the time a small import takes. */
const ACTIVE_JOBS_RETRY_AFTER_SECONDS = 30;

/** Passes a body through, failing it with a 413 once more than `max` bytes have arrived. */
function byteLimit(max: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > max) done(new AppError("payload_too_large", { detail: `The upload is larger than ${max} bytes (IMPORT_MAX_UPLOAD_MB); nothing was imported.` }));
      else done(null, chunk);
    },
  });
}

export type ImportService = {
  /** Stages the body durably and starts the job (queued); resolves once it is staged. */
  start(input: { orgId: string; dataset: ImportDataset; format: ImportFormat; body: Readable }): Promise<ImportJob>;
  /**
   * Removes what a crashed process left staged — call it before taking uploads, so no upload
   * being written is taken for a leftover — and, on the embedded store, starts resuming the jobs
   * left unfinished (in the background: it resolves once the files are swept).
   */
  resume(): Promise<void>;
  /** Stops taking jobs; one running is left to be interrupted (and resumed at the next start). */
  close(): Promise<void>;
};

export type ImportServiceOptions = {
  store: Store;
  logger: Logger;
  dataDir: string;
  /** With PostgreSQL, chunks go to the pg-boss queue in this schema for `npm run worker` processes. */
  queue: { connectionString: string; schema: string; chunkExpireSeconds: number } | undefined;
  /** What one file may make the readers hold or read, and how often a job may be interrupted. */
  limits: ImportLimits;
};

/**
 * Imports through the BFF. On the embedded store the BFF runs each job itself from a file staged
 * under DATA_DIR (so a restart resumes it): an organisation's jobs one after another, different
 * organisations' side by side, writing batch by batch in turns (createJobScheduler). On
 * PostgreSQL the body is staged in the database in chunks and queued for the workers (startImport decides).
 */
export function createImportService(options: ImportServiceOptions): ImportService {
  const deps = { store: options.store, logger: options.logger, limits: options.limits };
  let stopping = false;
  const interrupted = () => stopping;
  // Closing the store under a running job interrupts it; its checkpoint lets the next start resume it.
  const scheduler = createJobScheduler(deps, { sliceMs: IN_PROCESS_SLICE_MS, interrupted });
  let queue: Promise<ImportQueue> | undefined;

  const { maxActiveJobsPerOrg, maxUploadBytes } = options.limits;
  // Uploads being staged here, per organisation: they count as active before their job exists.
  const staging = new Map<string, number>();

  const tooMany = (active: number) =>
    new AppError("rate_limited", {
      retryAfterSeconds: ACTIVE_JOBS_RETRY_AFTER_SECONDS,
      detail: `Your organisation has ${active} imports queued or running, the most it may have at once (IMPORT_MAX_ACTIVE_JOBS_PER_ORG); try again when one has finished.`,
    });

  /**
   * Refuses the upload before reading it when the organisation has its IMPORT_MAX_ACTIVE_JOBS_PER_ORG
   * jobs already: its queued and running jobs, and the other uploads this process is staging for
   * it. The bound that holds across processes is the store's, checked again as the job is recorded.
   */
  const admit = async (orgId: string) => {
    const stored = await options.store.countActiveImportJobs(orgId);
    // Checked and counted in one synchronous step after the await: uploads arriving together
    // are admitted one by one, up to the bound, never all refused nor all taken.
    const active = stored + (staging.get(orgId) ?? 0);
    if (active >= maxActiveJobsPerOrg) throw tooMany(active);
    staging.set(orgId, (staging.get(orgId) ?? 0) + 1);
  };

  const queueOptions = options.queue;
  const place: ImportPlace = {
    dataDir: options.dataDir,
    enqueue: queueOptions
      ? async (job, chunks) => {
          queue ??= openImportQueue({ ...queueOptions, logger: options.logger });
          await (await queue).enqueue(job, chunks);
        }
      : undefined,
  };

  const stage = async (input: { orgId: string; dataset: ImportDataset; format: ImportFormat; body: Readable }): Promise<ImportJob> => {
    const body = input.body.pipe(byteLimit(maxUploadBytes));
    input.body.on("error", (error) => body.destroy(error));
    const started = await startImport(deps, place, { orgId: input.orgId, dataset: input.dataset, format: input.format, source: { body }, maxActive: maxActiveJobsPerOrg });
    if (started.runs === "here") void scheduler.run(started.job);
    return started.job;
  };

  return {
    async start(input) {
      await admit(input.orgId);
      try {
        return await stage(input);
      } catch (error) {
        throw error instanceof ActiveImportLimitReached ? tooMany(error.active) : error;
      } finally {
        const left = (staging.get(input.orgId) ?? 1) - 1;
        if (left > 0) staging.set(input.orgId, left);
        else staging.delete(input.orgId);
      }
    },
    async resume() {
      const swept = await sweepStagedFiles(options.store, options.dataDir);
      if (swept.length > 0) options.logger.info({ files: swept.length }, "removed staged import files left by a crash");
      if (options.queue) return;
      resumeUnfinishedJobs(deps, scheduler, { interrupted }).catch((error: unknown) => {
        if (!stopping) options.logger.error({ err: error }, "could not list the imports to resume; they resume at the next start");
      });
    },
    async close() {
      stopping = true;
      if (queue) await (await queue).stop();
    },
  };
}
