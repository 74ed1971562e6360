/** How long a queued job may wait for a worker before the CLI says none has taken it. */
export const NO_WORKER_NOTICE_MS = 5000;

/** What following needs of a job, wherever it is read from (the store, or the BFF's admin API). */
export type FollowedJob = { state: "queued" | "running" | "succeeded" | "failed" };

/**
 * Follows a job until it ends, reading it with `load` every `pollMs` and reporting its counts as
 * they grow; says so once if no worker has taken it after a few seconds.
 */
export async function followJob<J extends FollowedJob>(
  jobId: string,
  load: (jobId: string) => Promise<J | undefined>,
  report: { progress(job: J): void; noWorker(): void },
  pollMs = 500,
): Promise<J> {
  const since = Date.now();
  let told = false;
  for (;;) {
    const job = await load(jobId);
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
