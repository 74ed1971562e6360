import { findImportJob, type ImportJob, type Store } from "@insights/store";

/** How long a queued job may wait for a worker before the CLI says none has taken it. */
export const NO_WORKER_NOTICE_MS = 5000;

/**
 * Follows a queued (chunked) job until it ends, reporting its counts as they grow; says so once
 * if no worker has taken it after a few seconds.
 */
export async function followJob(
  store: Store,
  jobId: string,
  report: { progress(job: ImportJob): void; noWorker(): void },
  pollMs = 500,
): Promise<ImportJob> {
  const since = Date.now();
  let told = false;
  for (;;) {
    const job = await findImportJob(store.db, jobId);
    if (!job) throw new Error(`import job ${jobId} disappeared`);
    if (job.state === "succeeded" || job.state === "failed") return job;
    report.progress(job);
    if (!told && job.state === "queued" && Date.now() - since >= NO_WORKER_NOTICE_MS) {
      told = true;
      report.noWorker();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
