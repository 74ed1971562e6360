import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { createInsightsClient, type InsightsClient } from "@insights/contracts/client";
import type { Problem } from "@insights/contracts";
import type { ImportJobView } from "@insights/contracts/imports";
import type { ImportCommand, RemoteApi } from "./import-arguments.js";
import { UsageError } from "./import-arguments.js";
import { followJob, NO_WORKER_NOTICE_MS } from "./follow.js";
import { err, printSummary, rejectLines, write } from "./output.js";
import { progressReporter } from "./progress.js";

/**
 * `--api <url> --token <token>`: the import handed to a running BFF's admin API through the typed
 * client (the file streamed as the upload's body), then followed by polling the job; its rejects
 * paged through the same API. The organisation is the token's. The token is never printed.
 */

/** The BFF answered with a problem (401, 403, 5xx…) or could not be reached: exit 1. */
export class ApiError extends Error {
  override name = "ApiError";
}

const isProblem = (body: unknown): body is Problem => typeof body === "object" && body !== null && typeof (body as { title?: unknown }).title === "string";

function refused(api: RemoteApi, status: number, body: unknown): ApiError {
  const problem = isProblem(body) ? `${body.title}${body.detail ? `: ${body.detail}` : ""}` : "no problem details";
  return new ApiError(`the BFF at ${api.url} answered ${status}, ${problem}`);
}

/** Calls the client, turning a network failure into an ApiError that names the BFF's URL. */
async function call<T>(api: RemoteApi, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    throw new ApiError(`cannot reach the BFF at ${api.url}: ${cause}`);
  }
}

const clientOf = (api: RemoteApi): InsightsClient => createInsightsClient({ baseUrl: api.url, token: api.token });

const isJobId = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** Uploads the file, follows the job to its end and prints the summary: exit 0 succeeded, 1 failed. */
export async function importThroughApi(command: Extract<ImportCommand, { kind: "import" }> & { api: RemoteApi }): Promise<number> {
  const { api } = command;
  const file = resolve(command.file);
  // Checked here: a file that cannot be read would otherwise surface as a failed upload.
  const readable = await stat(file).then((s) => s.isFile(), () => false);
  if (!readable) throw new UsageError(`cannot read ${command.file}`);
  const client = clientOf(api);
  const startedAt = Date.now();
  const created = await call(api, () => client.imports.createImport({ query: { dataset: command.dataset, format: command.format }, body: createReadStream(file) }));
  if (created.status !== 202) throw refused(api, created.status, created.body);
  const jobId = created.body.id;
  err(`import ${jobId}: uploaded to ${api.url}, ${created.body.state}\n`);

  const load = async (id: string): Promise<ImportJobView | undefined> => {
    const response = await call(api, () => client.imports.getImport({ params: { id } }));
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw refused(api, response.status, response.body);
    return response.body;
  };
  const progress = progressReporter(process.stderr, jobId);
  const job = await followJob(jobId, load, {
    progress: (j) => progress.update({ rows: j.rows, position: { bytesRead: 0, totalBytes: 0 }, startedAt: j.startedAt ? Date.parse(j.startedAt) : startedAt }),
    noWorker: () => err(`no worker has taken import ${jobId} after ${NO_WORKER_NOTICE_MS / 1000} s: the BFF on PostgreSQL needs one (npm run worker, same DATABASE_URL)\n`),
  });
  progress.done();
  const seconds = job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000 : (Date.now() - startedAt) / 1000;
  printSummary(jobId, { state: job.state === "succeeded" ? "succeeded" : "failed", failure: job.failure, rows: job.rows, seconds: Math.max(seconds, 0.001) }, {
    dryRun: false,
    json: command.json,
    rejectsCommand: `npm run import -- --rejects ${jobId} --api ${api.url} --token <token>`,
  });
  return job.state === "succeeded" ? 0 : 1;
}

/** Prints a job's rejected rows, a page at a time through the admin API. */
export async function printRejectsThroughApi(api: RemoteApi, jobId: string): Promise<number> {
  if (!isJobId(jobId)) throw new UsageError(`no import job ${jobId}`);
  const client = clientOf(api);
  let cursor: string | undefined;
  for (;;) {
    const page = await call(api, () => client.imports.listImportRejects({ params: { id: jobId }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } }));
    if (page.status === 404) throw new UsageError(`no import job ${jobId} in the token's organisation`);
    if (page.status !== 200) throw refused(api, page.status, page.body);
    await write(rejectLines(page.body.rejects));
    if (page.body.next === null) return 0;
    cursor = page.body.next;
  }
}
