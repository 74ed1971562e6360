import { sql, type Kysely, type Transaction } from "kysely";
import type { ImportJob, NewImportJob } from "./import-jobs.js";
import { admitImportJob, findImportJob } from "./import-jobs.js";
import type { Database } from "./schema.js";

/** Chunked imports (PostgreSQL): the file's records staged in the database, a chunk per queue job. */

/** `longLines`: lines over the record limit when staged (empty in `body`; each read as "line too long"). */
export type ImportChunk = { jobId: string; seq: number; firstLine: number; body: string; longLines: number[]; checkpointLine: number; done: boolean };

/**
 * Stages a chunked import in one transaction: the job, then each chunk `stage` hands over, then
 * the chunk count. Nothing of it exists until all of it does. With `maxActive`, the bound is
 * checked last, under the organisation's lock, just before the commit (a long staging holds no lock).
 */
export async function stageChunkedImportJob(
  db: Kysely<Database>,
  job: NewImportJob & { header: string | null },
  stage: (addChunk: (firstLine: number, body: string, longLines: number[]) => Promise<void>) => Promise<void>,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto("import_jobs")
      .values({ id: job.id, org_id: job.orgId, dataset: job.dataset, format: job.format, source: job.source, staged_in: "chunks", header: job.header })
      .execute();
    let seq = 0;
    await stage(async (firstLine, body, longLines) => {
      await tx.insertInto("import_chunks").values({ job_id: job.id, seq, first_line: firstLine, body, long_lines: longLines }).execute();
      seq++;
    });
    if (job.maxActive !== undefined) await admitImportJob(tx, job, job.maxActive);
    await tx.updateTable("import_jobs").set({ chunks: seq, fair_base: await fairBaseOf(tx, job) }).where("id", "=", job.id).execute();
    return seq;
  });
}

/**
 * Where a new job's chunks go in the queue (fair queuing across organisations): after every
 * chunk its organisation has queued, and no earlier than the lowest tag still waiting (the
 * virtual time, which advances as chunks are done). So an organisation that keeps submitting
 * jobs takes its turn after the others' waiting chunks, and a new organisation's first chunk
 * goes next. Tags stay small: they count chunks waiting, not chunks ever queued.
 */
async function fairBaseOf(tx: Kysely<Database>, job: { id: string; orgId: string }): Promise<number> {
  const { rows } = await sql<{ now: number | null; own: number | null }>`
    select
      (select min(j.fair_base + c.seq) from import_chunks c join import_jobs j on j.id = c.job_id
        where not c.done and j.state in ('queued', 'running') and j.fair_base is not null) as now,
      (select max(j.fair_base + j.chunks) from import_jobs j
        where j.org_id = ${job.orgId} and j.id <> ${job.id} and j.state in ('queued', 'running') and j.fair_base is not null) as own
  `.execute(tx);
  return Math.max(Number(rows[0]?.now ?? 0), Number(rows[0]?.own ?? 0));
}

/** The chunks of a job that are not done yet (to enqueue). */
export async function pendingImportChunks(db: Kysely<Database>, jobId: string): Promise<number[]> {
  const rows = await db.selectFrom("import_chunks").select("seq").where("job_id", "=", jobId).where("done", "=", false).orderBy("seq").execute();
  return rows.map((r) => r.seq);
}

export async function loadImportChunk(db: Kysely<Database>, jobId: string, seq: number): Promise<{ job: ImportJob; header: string | null; chunk: ImportChunk } | undefined> {
  const job = await findImportJob(db, jobId);
  const row = await db.selectFrom("import_chunks").selectAll().where("job_id", "=", jobId).where("seq", "=", seq).executeTakeFirst();
  if (!job || !row) return undefined;
  const header = await db.selectFrom("import_jobs").select("header").where("id", "=", jobId).executeTakeFirstOrThrow();
  return {
    job,
    header: header.header,
    chunk: { jobId, seq, firstLine: Number(row.first_line), body: row.body, longLines: row.long_lines.map(Number), checkpointLine: Number(row.checkpoint_line), done: row.done },
  };
}

/**
 * Marks a chunk done; when it is the job's last, the job succeeds (in the same transaction, the
 * job row locked, so exactly one worker finishes it). Returns the job's state afterwards.
 */
export async function completeImportChunk(db: Kysely<Database>, jobId: string, seq: number): Promise<"running" | "succeeded" | "failed" | "queued"> {
  return db.transaction().execute(async (tx: Transaction<Database>) => {
    const job = await tx.selectFrom("import_jobs").select(["state"]).where("id", "=", jobId).forUpdate().executeTakeFirstOrThrow();
    await tx.updateTable("import_chunks").set({ done: true, body: "" }).where("job_id", "=", jobId).where("seq", "=", seq).execute();
    const left = await tx.selectFrom("import_chunks").select((eb) => eb.fn.countAll<string>().as("n")).where("job_id", "=", jobId).where("done", "=", false).executeTakeFirstOrThrow();
    if (Number(left.n) > 0 || job.state === "failed" || job.state === "succeeded") return job.state;
    await tx.updateTable("import_jobs").set({ state: "succeeded", finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }).where("id", "=", jobId).execute();
    return "succeeded";
  });
}
