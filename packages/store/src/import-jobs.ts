import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, ImportDatasetName, ImportFormat, ImportJobsTable, ImportJobState } from "./schema.js";

/** Bulk import jobs: their lifecycle, counts and rejected rows. Rows themselves are applied by applyImportBatch. */

/** Why a job failed (a reason a program acts on, the contract's) and what a person reads; never row values. */
export type ImportFailure = { reason: string; detail: string };

export type ImportRowCounts = { read: number; imported: number; unchanged: number; rejected: number };

export type ImportJob = {
  id: string;
  orgId: string;
  dataset: ImportDatasetName;
  format: ImportFormat;
  /** 'file': a staged file run by one process; 'chunks': staged in the database, shared by workers. */
  stagedIn: "file" | "chunks";
  source: string;
  state: ImportJobState;
  /** Set when the job failed. */
  failure: ImportFailure | null;
  /** The last line of the file whose rows (and rejects) are committed. */
  checkpointLine: number;
  rows: ImportRowCounts;
  /** Runs of a file-staged job started so far (markImportJobRunning with `newRun`). */
  attempts: number;
  /** A chunked job's place in the queue: chunk k's fair-queuing tag is fairBase + k (import-chunks.ts). */
  fairBase: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
};

export type ImportReject = { line: number; field: string; message: string };

/**
 * `maxActive` (IMPORT_MAX_ACTIVE_JOBS_PER_ORG): the job is recorded only if its organisation has
 * fewer jobs queued or running, checked and recorded under a lock on the organisation, so two
 * processes taking uploads at once cannot both pass the bound.
 */
export type NewImportJob = { id: string; orgId: string; dataset: ImportDatasetName; format: ImportFormat; source: string; maxActive?: number | undefined };

/** The organisation has IMPORT_MAX_ACTIVE_JOBS_PER_ORG jobs queued or running already: the new one is not recorded. */
export class ActiveImportLimitReached extends Error {
  override name = "ActiveImportLimitReached";

  constructor(
    readonly active: number,
    readonly max: number,
  ) {
    super(`the organisation has ${active} imports queued or running, the most it may have at once (IMPORT_MAX_ACTIVE_JOBS_PER_ORG)`);
  }
}

/**
 * Inside the transaction recording job `id`: locks the organisation's row until commit and
 * refuses when its other queued or running jobs reach `max`. The lock orders concurrent
 * admissions, and each one's count (a new statement, after the lock) sees those committed before.
 */
export async function admitImportJob(tx: Kysely<Database>, job: { id: string; orgId: string }, max: number): Promise<void> {
  // FOR NO KEY UPDATE, not FOR UPDATE: the job row this transaction inserted holds a KEY SHARE
  // lock on the organisation (its foreign key), as a concurrent one's does; FOR UPDATE would wait
  // on each other's (a deadlock), NO KEY UPDATE only on each other's NO KEY UPDATE.
  await tx.selectFrom("organisations").select("id").where("id", "=", job.orgId).forNoKeyUpdate().execute();
  const active = await countActiveImportJobs(tx, job.orgId, { except: job.id });
  if (active >= max) throw new ActiveImportLimitReached(active, max);
}

function toJob(row: Selectable<ImportJobsTable>): ImportJob {
  return {
    id: row.id,
    orgId: row.org_id,
    dataset: row.dataset,
    format: row.format,
    stagedIn: row.staged_in,
    source: row.source,
    state: row.state,
    failure: row.state === "failed" ? { reason: row.failure_reason ?? "unclassified", detail: row.error ?? "" } : null,
    checkpointLine: Number(row.checkpoint_line),
    rows: { read: Number(row.rows_read), imported: Number(row.rows_imported), unchanged: Number(row.rows_unchanged), rejected: Number(row.rows_rejected) },
    attempts: Number(row.attempts),
    fairBase: Number(row.fair_base ?? 0),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

/** Records a new job, queued (with `maxActive`, only within the organisation's bound: ActiveImportLimitReached). */
export async function createImportJob(db: Kysely<Database>, job: NewImportJob): Promise<ImportJob> {
  const insert = (tx: Kysely<Database>) =>
    tx.insertInto("import_jobs").values({ id: job.id, org_id: job.orgId, dataset: job.dataset, format: job.format, source: job.source }).returningAll().executeTakeFirstOrThrow();
  const { maxActive } = job;
  if (maxActive === undefined) return toJob(await insert(db));
  return db.transaction().execute(async (tx) => {
    await admitImportJob(tx, job, maxActive);
    return toJob(await insert(tx));
  });
}

/** A job by id; with `orgId`, only that organisation's (another organisation's job is not found). */
export async function findImportJob(db: Kysely<Database>, id: string, orgId?: string): Promise<ImportJob | undefined> {
  let query = db.selectFrom("import_jobs").selectAll().where("id", "=", id);
  if (orgId !== undefined) query = query.where("org_id", "=", orgId);
  const row = await query.executeTakeFirst();
  return row ? toJob(row) : undefined;
}

/**
 * File-staged jobs that were queued or interrupted while running, oldest first: what a starting
 * worker resumes (chunked jobs are resumed by the queue).
 */
export async function listUnfinishedImportJobs(db: Kysely<Database>): Promise<ImportJob[]> {
  const rows = await db
    .selectFrom("import_jobs")
    .selectAll()
    .where("state", "in", ["queued", "running"])
    .where("staged_in", "=", "file")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toJob);
}

/**
 * The job is running (a chunk of it, or a run of a file-staged job). With `newRun`, a run of a
 * file-staged job starts: one more of its attempts is counted (IMPORT_MAX_ATTEMPTS).
 */
export async function markImportJobRunning(db: Kysely<Database>, id: string, options: { newRun?: boolean } = {}): Promise<void> {
  await db
    .updateTable("import_jobs")
    .set({
      state: "running",
      ...(options.newRun ? { attempts: sql<number>`attempts + 1` } : {}),
      started_at: sql<Date>`coalesce(started_at, now())`,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .where("state", "in", ["queued", "running"])
    .execute();
}

/** How many of an organisation's jobs are queued or running (IMPORT_MAX_ACTIVE_JOBS_PER_ORG), but `except`. */
export async function countActiveImportJobs(db: Kysely<Database>, orgId: string, { except }: { except?: string } = {}): Promise<number> {
  let query = db
    .selectFrom("import_jobs")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("org_id", "=", orgId)
    .where("state", "in", ["queued", "running"]);
  if (except !== undefined) query = query.where("id", "!=", except);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Ends a job that is queued or running; one already ended keeps its end (a second run of it,
 * say, cannot turn `succeeded` into `failed`). Returns the job as it stands. The failure is shown
 * to whoever imported the file: it must not hold row values.
 */
export async function finishImportJob(db: Kysely<Database>, id: string, outcome: { state: "succeeded" } | { state: "failed"; failure: ImportFailure }): Promise<ImportJob> {
  const failure = outcome.state === "failed" ? outcome.failure : null;
  const row = await db
    .updateTable("import_jobs")
    .set({ state: outcome.state, error: failure?.detail ?? null, failure_reason: failure?.reason ?? null, finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("state", "in", ["queued", "running"])
    .returningAll()
    .executeTakeFirst();
  if (row) {
    // A chunked job's staged records are of no more use once it has ended.
    if (row.staged_in === "chunks") await db.updateTable("import_chunks").set({ body: "", done: true }).where("job_id", "=", id).where("done", "=", false).execute();
    return toJob(row);
  }
  const ended = await findImportJob(db, id);
  if (!ended) throw new Error(`no import job ${id}`);
  return ended;
}

/** A job's rejected rows in (line, field) order, a page at a time: those after the reject given. */
export async function listImportRejects(
  db: Kysely<Database>,
  jobId: string,
  page: { after?: { line: number; field: string }; limit: number },
): Promise<ImportReject[]> {
  const after = page.after ?? { line: 0, field: "" };
  const rows = await db
    .selectFrom("import_rejects")
    .select(["line", "field", "message"])
    .where("job_id", "=", jobId)
    .where(sql<boolean>`(line, field) > (${after.line}, ${after.field})`)
    .orderBy("line")
    .orderBy("field")
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({ line: Number(r.line), field: r.field, message: r.message }));
}
