import type { ImportJob } from "@insights/store";
import { runImport, type ImportDeps, type ImportOutcome, type RunOptions } from "./run-import.js";
import { removeStagedFile } from "./staging.js";

/** Runs a recorded job to its end (resuming after its checkpoint) and drops its staged file. */
export async function executeJob(deps: ImportDeps, job: ImportJob, options: Omit<RunOptions, "dryRun"> = {}): Promise<ImportOutcome> {
  const outcome = await runImport(deps, job, options);
  await removeStagedFile(job.source);
  return outcome;
}

/** Resumes every queued or interrupted job, oldest first; returns how many ran. */
export async function resumeUnfinishedJobs(deps: ImportDeps, options: Omit<RunOptions, "dryRun"> = {}): Promise<number> {
  const jobs = await deps.store.listUnfinishedImportJobs();
  for (const job of jobs) {
    deps.logger.info({ job: job.id, checkpointLine: job.checkpointLine }, "resuming import");
    await executeJob(deps, job, options);
  }
  return jobs.length;
}
