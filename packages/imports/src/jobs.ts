import type { ImportFailure, ImportJob } from "@insights/store";
import { BatchTurns } from "./batch-turns.js";
import { importLimitsOf, runImport, type ImportDeps, type ImportOutcome, type RunOptions } from "./run-import.js";
import { removeStagedFile } from "./staging.js";

export type JobRunOptions = Omit<RunOptions, "dryRun"> & {
  /**
   * Whether the process is stopping: an error then is the shutdown interrupting the run (the job
   * resumes at the next start), not the job's own failure.
   */
  interrupted?: () => boolean;
};

/** What a failed job says of an error that is not the file's fault: its kind, never its text (it may quote rows). */
export const INTERNAL_FAILURE: ImportFailure = { reason: "internal", detail: "the import stopped on an internal error (the process's log has the details); import the file again" };

/**
 * Runs a recorded job to its end (resuming after its checkpoint) and drops its staged file. Any
 * error of the run fails the job — the file's own (not the declared format) with its reason,
 * any other as INTERNAL_FAILURE, logged — and never reaches the caller, unless the process is
 * stopping (`interrupted`): then the error is rethrown and the job stays to be resumed.
 */
export async function executeJob(deps: ImportDeps, job: ImportJob, options: JobRunOptions = {}): Promise<ImportOutcome> {
  const { interrupted, ...runOptions } = options;
  const startedAt = Date.now();
  let outcome: ImportOutcome;
  try {
    outcome = await runImport(deps, job, runOptions);
  } catch (error) {
    if (interrupted?.()) throw error;
    // The error's kind only: a database error's message or detail can quote the row's values.
    const { name, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { name: typeof error, code: undefined };
    deps.logger.error({ job: job.id, org: job.orgId, error: { name, code } }, "import failed on an internal error");
    const failed = await deps.store.finishImportJob(job.id, { state: "failed", failure: INTERNAL_FAILURE });
    outcome = { state: "failed", failure: INTERNAL_FAILURE, rows: failed.rows, seconds: (Date.now() - startedAt) / 1000 };
  }
  await removeStagedFile(job.source);
  return outcome;
}

export type JobScheduler = {
  /**
   * Runs a file-staged job after the earlier jobs of its organisation (a job already scheduled
   * here is not run twice). Never rejects: resolves to the outcome, or to undefined when the job
   * is left unfinished — the process stopping before or while it ran (it resumes at the next
   * start), or its end not recorded (logged; it resumes too).
   */
  run(job: ImportJob): Promise<ImportOutcome | undefined>;
};

/**
 * Runs file-staged jobs in one process, fairly across organisations: an organisation's jobs run
 * one after another, in the order they came; different organisations' jobs run side by side and
 * write batch by batch in turns (round-robin, batch-turns.ts), so one organisation's 10-row import
 * is not queued behind another's million rows. One batch is written at a time, as the embedded
 * store's one connection would anyway.
 */
export function createJobScheduler(deps: ImportDeps, options: JobRunOptions = {}): JobScheduler {
  const turns = new BatchTurns();
  /** Each organisation's last job, which its next one waits for. */
  const tails = new Map<string, Promise<unknown>>();
  /** The jobs scheduled and not ended, by id. */
  const scheduled = new Map<string, Promise<ImportOutcome | undefined>>();
  const runJob = async (job: ImportJob): Promise<ImportOutcome | undefined> => {
    // Stopping: a job not started yet stays queued for the next start.
    if (options.interrupted?.()) return undefined;
    try {
      return await executeJob(deps, job, { ...options, turn: () => turns.take(job.orgId) });
    } catch (error) {
      if (!options.interrupted?.()) deps.logger.error({ job: job.id, org: job.orgId, err: error }, "import left unfinished: its end could not be recorded");
      return undefined;
    }
  };
  return {
    run(job) {
      const already = scheduled.get(job.id);
      if (already) return already;
      const run = (tails.get(job.orgId) ?? Promise.resolve()).then(() => runJob(job));
      scheduled.set(job.id, run);
      tails.set(job.orgId, run);
      void run.then(() => {
        scheduled.delete(job.id);
        if (tails.get(job.orgId) === run) tails.delete(job.orgId);
      });
      return run;
    },
  };
}

/**
 * Resumes every queued or interrupted job, oldest first, each on its own through the scheduler
 * (fair across organisations): one that fails does not stop the others, and one whose runs were
 * interrupted more than IMPORT_MAX_ATTEMPTS times (a crash each time, say) fails instead of
 * running again. Resolves, with how many it scheduled, once they have all ended or been left
 * for the next start; never rejects once the jobs are listed.
 */
export async function resumeUnfinishedJobs(deps: ImportDeps, scheduler: JobScheduler, options: { interrupted?: () => boolean } = {}): Promise<number> {
  const { maxAttempts } = importLimitsOf(deps);
  const jobs = await deps.store.listUnfinishedImportJobs();
  const runs: Promise<unknown>[] = [];
  for (const job of jobs) {
    if (options.interrupted?.()) break;
    // Every run started so far was interrupted (the job is still unfinished).
    if (job.attempts <= maxAttempts) {
      deps.logger.info({ job: job.id, checkpointLine: job.checkpointLine, attempts: job.attempts }, "resuming import");
      runs.push(scheduler.run(job));
      continue;
    }
    try {
      deps.logger.warn({ job: job.id, org: job.orgId, attempts: job.attempts }, "import failed: interrupted too often");
      await deps.store.finishImportJob(job.id, {
        state: "failed",
        failure: { reason: "interrupted_too_often", detail: `interrupted ${job.attempts} times before it could finish (IMPORT_MAX_ATTEMPTS); import the file again` },
      });
      await removeStagedFile(job.source);
    } catch (error) {
      // Left as it is: the next start tries again; the jobs after it are resumed now.
      deps.logger.error({ job: job.id, org: job.orgId, err: error }, "could not fail an import interrupted too often");
    }
  }
  await Promise.all(runs);
  return runs.length;
}
