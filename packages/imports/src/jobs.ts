import type { ImportFailure, ImportJob } from "@insights/store";
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

/**
 * Resumes every queued or interrupted job, oldest first, each on its own: one that fails does
 * not stop the others, and one whose runs were interrupted more than IMPORT_MAX_ATTEMPTS times
 * (a crash each time, say) fails instead of running again. Returns how many ran.
 */
export async function resumeUnfinishedJobs(deps: ImportDeps, options: JobRunOptions = {}): Promise<number> {
  const { maxAttempts } = importLimitsOf(deps);
  const jobs = await deps.store.listUnfinishedImportJobs();
  let ran = 0;
  for (const job of jobs) {
    if (options.interrupted?.()) break;
    // Every run started so far was interrupted (the job is still unfinished).
    if (job.attempts > maxAttempts) {
      deps.logger.warn({ job: job.id, org: job.orgId, attempts: job.attempts }, "import failed: interrupted too often");
      await deps.store.finishImportJob(job.id, {
        state: "failed",
        failure: { reason: "interrupted_too_often", detail: `interrupted ${job.attempts} times before it could finish (IMPORT_MAX_ATTEMPTS); import the file again` },
      });
      await removeStagedFile(job.source);
      continue;
    }
    deps.logger.info({ job: job.id, checkpointLine: job.checkpointLine, attempts: job.attempts }, "resuming import");
    await executeJob(deps, job, options);
    ran++;
  }
  return ran;
}
