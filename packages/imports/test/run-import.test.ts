import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import type { ImportDataset } from "@insights/contracts/records";

import { openPgliteTestStore, type TestStore } from "@insights/store/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { stageChunkedImport } from "../src/chunked-import.js";
import { createJobScheduler, executeJob, fileBody, resumeUnfinishedJobs, runImport, runImportChunk, sampleLines, stageImport, sweepStagedFiles, DEFAULT_IMPORT_LIMITS, type ImportFormat } from "../src/index.js";
import { INTERNAL_FAILURE } from "../src/jobs.js";
import type { ImportDeps } from "../src/run-import.js";
import { stagingDir } from "../src/staging.js";

const logger = createTestLogger("insights-worker", "run-import.test");
/** Resumes the unfinished jobs as a starting worker does: with a scheduler of its own. */
const resume = (deps: ImportDeps) => resumeUnfinishedJobs(deps, createJobScheduler(deps));
let dir: string;
let store: TestStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "imports-run-"));
  store = await openPgliteTestStore();
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function importSample(dataset: ImportDataset, rows: number, bad: number, format: ImportFormat = "ndjson", batchSize = 7) {
  const file = join(dir, `${dataset}-${rows}-${bad}.${format}`);
  await writeFile(file, [...sampleLines({ dataset, rows, bad, seed: 11, org: "telco", format })].join("\n") + "\n");
  const job = await stageImport(store, dir, { orgId: "telco", dataset, format, body: fileBody(file) });
  const outcome = await executeJob({ store, logger }, job, { batchSize });
  return { job, outcome };
}

describe("running an import", () => {
  it("imports each dataset, and a second import of the same file changes nothing", async () => {
    const datasets: [ImportDataset, number][] = [
      ["customers", 30],
      ["scores", 60],
      ["profile-attributes", 40],
      ["category-assignments", 60],
    ];
    for (const [dataset, rows] of datasets) {
      const { outcome } = await importSample(dataset, rows, 0, dataset === "scores" ? "csv" : "ndjson");
      expect(outcome, dataset).toMatchObject({ state: "succeeded", rows: { read: rows, rejected: 0 } });
      expect(outcome.rows.imported, dataset).toBeGreaterThan(0);
    }
    const historyBefore = await store.db.selectFrom("customer_category_history").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    for (const [dataset, rows] of datasets) {
      const { outcome } = await importSample(dataset, rows, 0, dataset === "scores" ? "csv" : "ndjson");
      expect(outcome.rows, dataset).toEqual({ read: rows, imported: 0, unchanged: rows, rejected: 0 });
    }
    const historyAfter = await store.db.selectFrom("customer_category_history").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(historyAfter.n).toBe(historyBefore.n);
  });

  it("rejects bad rows with line, field and message, never the card number, and goes on", async () => {
    const { job, outcome } = await importSample("customers", 40, 9, "csv");
    expect(outcome.state).toBe("succeeded");
    expect(outcome.rows.rejected).toBe(9);
    expect(outcome.rows.read).toBe(40);
    const rejects = await store.listImportRejects(job.id, { limit: 100 });
    expect(new Set(rejects.map((r) => r.line)).size).toBe(9);
    for (const r of rejects) {
      expect(r.line).toBeGreaterThan(1);
      expect(["phoneNumber", "birthDate", "cardNumber"]).toContain(r.field);
      expect(r.message).not.toMatch(/4969/);
    }
    expect((await store.findImportJob(job.id))?.state).toBe("succeeded");
  });

  it("resumes after the checkpoint: lines it covers are not read again", async () => {
    const file = join(dir, "resume.ndjson");
    await writeFile(file, [...sampleLines({ dataset: "scores", rows: 10, bad: 0, seed: 3, org: "telco", format: "ndjson" })].join("\n"));
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const outcome = await runImport({ store, logger }, { ...job, checkpointLine: 6, rows: { read: 6, imported: 6, unchanged: 0, rejected: 0 } });
    expect(outcome.rows.read).toBe(10);
    expect((await store.findImportJob(job.id))?.rows.read).toBe(4);
  });

  it("fails the job when the file is not the declared format", async () => {
    const file = join(dir, "wrong.csv");
    await writeFile(file, "externalId,scoringType,scoringValue\nCUST-000001,gaugeMetric,500\n");
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const outcome = await executeJob({ store, logger }, job);
    expect(outcome.state).toBe("failed");
    expect((await store.findImportJob(job.id))).toMatchObject({ state: "failed", failure: { reason: "not_the_format", detail: expect.stringContaining("not NDJSON") } });
  });

  it("records each category change in the history with the import as actor", async () => {
    const { job } = await importSample("category-assignments", 4, 0);
    const masstack = await store.db
      .selectFrom("customer_identifiers as i")
      .innerJoin("customers as c", "c.id", "i.customer_id")
      .select("i.value")
      .where("c.external_id", "=", "CUST-000001")
      .where("i.kind", "=", "masstack_customer_id")
      .executeTakeFirstOrThrow();
    const history = await store.customerCategoryHistory("telco", masstack.value, { limit: 1000 });
    expect(history?.entries.every((h) => h.actor.startsWith("import:"))).toBe(true);
    expect(history?.entries.length).toBeGreaterThan(0);
    expect(job.dataset).toBe("category-assignments");
  });
});

describe("a line or record past IMPORT_MAX_RECORD_BYTES", () => {
  const limits = { ...DEFAULT_IMPORT_LIMITS, maxRecordBytes: 200 };
  const long = "x".repeat(5000);
  const expectTooLong = async (jobId: string, lines: number[]) => {
    const rejects = await store.listImportRejects(jobId, { limit: 100 });
    expect(rejects).toEqual(lines.map((line) => ({ line, field: "(record)", message: "line too long: over 200 bytes (IMPORT_MAX_RECORD_BYTES)" })));
  };
  beforeAll(async () => {
    // The customers the scores below are for.
    await importSample("customers", 6, 0);
  });
  const csv = () => {
    const sample = [...sampleLines({ dataset: "scores", rows: 6, bad: 0, seed: 3, org: "telco", format: "csv" })];
    // Line 3: one line too long; lines 5–7: a quoted field over the limit, spanning three lines.
    return [sample[0], sample[1], `${long},1`, sample[2], `X-1,"${long}`, "still quoted", 'closed",2', ...sample.slice(3)].join("\n") + "\n";
  };

  it("is one rejected row of a file-staged job, which goes on with the rows after it", async () => {
    const file = join(dir, "long.csv");
    await writeFile(file, csv());
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "csv", body: fileBody(file) });
    const outcome = await executeJob({ store, logger, limits }, job, { batchSize: 3 });
    expect(outcome).toMatchObject({ state: "succeeded", rows: { read: 8, rejected: 2 } });
    await expectTooLong(job.id, [3, 5]);
  });

  it("is one rejected row of a chunked job too: staged as an empty line the chunk names, whichever chunk it falls in", async () => {
    const file = join(dir, "long-chunked.csv");
    await writeFile(file, csv());
    const deps = { store, logger, limits };
    const staged = await stageChunkedImport(deps, { orgId: "telco", dataset: "scores", format: "csv", file }, { chunkRecords: 2 });
    expect(staged.job.state).toBe("queued");
    const bodies = await store.db.selectFrom("import_chunks").select(["body", "long_lines"]).where("job_id", "=", staged.job.id).orderBy("seq").execute();
    expect(bodies.every(({ body }) => !body.includes("xxxx"))).toBe(true);
    expect(bodies.flatMap(({ long_lines }) => long_lines.map(Number))).toEqual([3, 5]);
    for (let seq = 0; seq < staged.chunks; seq++) await runImportChunk(deps, staged.job.id, seq, { batchSize: 2 });
    expect(await store.findImportJob(staged.job.id)).toMatchObject({ state: "succeeded", rows: { read: 8, rejected: 2 } });
    await expectTooLong(staged.job.id, [3, 5]);
  });
});

describe("a staged file that is gone", () => {
  it("fails its job instead of failing every resumption", async () => {
    const file = join(dir, "gone.ndjson");
    await writeFile(file, '{"externalId":"CUST-000001","scoringType":"gaugeMetric","scoringValue":500}\n');
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    await rm(job.source);
    expect(await resume({ store, logger })).toBeGreaterThan(0);
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "failed", failure: { reason: "staged_file_gone", detail: expect.stringContaining("staged file of this import is gone") } });
  });
});

describe("a job that fails for a reason other than its file", () => {
  // A real database error in the middle of a run: the store refuses every new reject.
  const refuseRejects = () => sql`alter table import_rejects add constraint refuse_rejects check (false) not valid`.execute(store.db);
  const stage = async (name: string, dataset: ImportDataset = "customers", bad = 2) => {
    const file = join(dir, name);
    await writeFile(file, [...sampleLines({ dataset, rows: 10, bad, seed: 5, org: "telco", format: "ndjson" })].join("\n") + "\n");
    return stageImport(store, dir, { orgId: "telco", dataset, format: "ndjson", body: fileBody(file) });
  };

  it("fails with a reason that quotes nothing, never throws to its process, and its staged file goes", async () => {
    const job = await stage("refused-by-the-database.ndjson");
    await refuseRejects();
    try {
      const outcome = await executeJob({ store, logger }, job, { batchSize: 3 });
      expect(outcome).toMatchObject({ state: "failed", failure: INTERNAL_FAILURE });
    } finally {
      await sql`alter table import_rejects drop constraint refuse_rejects`.execute(store.db);
    }
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "failed", failure: INTERNAL_FAILURE });
    expect(existsSync(job.source)).toBe(false);
  });

  it("is left to resume when the process is stopping: the error is the shutdown's", async () => {
    const job = await stage("stopping.ndjson");
    await refuseRejects();
    try {
      await expect(executeJob({ store, logger }, job, { batchSize: 3, interrupted: () => true })).rejects.toThrow();
    } finally {
      await sql`alter table import_rejects drop constraint refuse_rejects`.execute(store.db);
    }
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "running", attempts: 1 });
    await resume({ store, logger });
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "succeeded", attempts: 2 });
  });

  it("fails once its runs were interrupted more than IMPORT_MAX_ATTEMPTS times, and the jobs behind it still run", async () => {
    const crashing = await stage("crashing.ndjson");
    const behind = await stage("behind.ndjson", "customers", 0);
    // As if four runs had started and each died with its process.
    await store.db.updateTable("import_jobs").set({ state: "running", attempts: 4 }).where("id", "=", crashing.id).execute();
    await resume({ store, logger, limits: { ...DEFAULT_IMPORT_LIMITS, maxAttempts: 3 } });
    expect(await store.findImportJob(crashing.id)).toMatchObject({ state: "failed", failure: { reason: "interrupted_too_often", detail: expect.stringContaining("interrupted 4 times before it could finish (IMPORT_MAX_ATTEMPTS)") } });
    expect(existsSync(crashing.source)).toBe(false);
    expect(await store.findImportJob(behind.id)).toMatchObject({ state: "succeeded", attempts: 1 });
  });

  it("runs again at the limit: three interrupted runs, three allowed", async () => {
    const job = await stage("twice.ndjson", "customers", 0);
    await store.db.updateTable("import_jobs").set({ state: "running", attempts: 3 }).where("id", "=", job.id).execute();
    await resume({ store, logger, limits: { ...DEFAULT_IMPORT_LIMITS, maxAttempts: 3 } });
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "succeeded", attempts: 4 });
  });
});

describe("a run in time slices (sliceMs), beside requests", () => {
  it("starts with 10 records a batch, at most doubles from one batch to the next, and serves the event loop between batches", async () => {
    const file = join(dir, "sliced.ndjson");
    await writeFile(file, [...sampleLines({ dataset: "scores", rows: 400, bad: 0, seed: 8, org: "telco", format: "ndjson" })].join("\n") + "\n");
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const sizes: number[] = [];
    const turnsBetween: number[] = [];
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    let read = 0;
    const outcome = await executeJob({ store, logger }, job, {
      sliceMs: 1000,
      onProgress: ({ rows }) => {
        sizes.push(rows.read - read);
        read = rows.read;
        turnsBetween.push(ticks);
      },
    });
    ticking = false;
    expect(outcome).toMatchObject({ state: "succeeded", rows: { read: 400 } });
    expect(sizes[0]).toBe(10);
    for (let i = 1; i < sizes.length - 1; i++) expect(sizes[i]).toBeLessThanOrEqual(2 * sizes[i - 1]!);
    // A slice of a second holds every batch the doubling allows: 10, 20, 40, 80, 160, then the rest.
    expect(sizes).toEqual([10, 20, 40, 80, 160, 90]);
    // Other callbacks ran between any two batches.
    for (let i = 1; i < turnsBetween.length; i++) expect(turnsBetween[i]).toBeGreaterThan(turnsBetween[i - 1]!);
  });

  it("keeps a batch near the slice: with a slice shorter than one record's write, one record a batch", async () => {
    const file = join(dir, "thin-sliced.ndjson");
    await writeFile(file, [...sampleLines({ dataset: "scores", rows: 30, bad: 0, seed: 8, org: "telco", format: "ndjson" })].join("\n") + "\n");
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const sizes: number[] = [];
    let read = 0;
    await executeJob({ store, logger }, job, { sliceMs: 0.001, onProgress: ({ rows }) => (sizes.push(rows.read - read), (read = rows.read)) });
    expect(sizes.slice(0, 2)).toEqual([10, 1]);
    expect(Math.max(...sizes.slice(1))).toBe(1);
  });
});

describe("the scheduler of one process's jobs", () => {
  const stage = async (name: string, org = "telco", rows = 10) => {
    const file = join(dir, name);
    await writeFile(file, [...sampleLines({ dataset: "scores", rows, bad: 0, seed: 6, org, format: "ndjson" })].join("\n") + "\n");
    return stageImport(store, dir, { orgId: org, dataset: "scores", format: "ndjson", body: fileBody(file) });
  };

  it("when the process stops, leaves the job queued behind another of its organisation for the next start, and never rejects", async () => {
    const first = await stage("first.ndjson");
    const second = await stage("second.ndjson");
    let stopping = false;
    const deps = { store, logger };
    // The stop arrives while the first job runs.
    const scheduler = createJobScheduler(deps, { batchSize: 2, interrupted: () => stopping, onProgress: () => (stopping = true) });
    await expect(resumeUnfinishedJobs(deps, scheduler, { interrupted: () => stopping })).resolves.toBeGreaterThanOrEqual(2);
    expect((await store.findImportJob(first.id))?.state).toBe("succeeded");
    expect(await store.findImportJob(second.id)).toMatchObject({ state: "queued", attempts: 0 });
    await resume({ store, logger });
    expect((await store.findImportJob(second.id))?.state).toBe("succeeded");
  });

  it("runs a job scheduled twice (a resume meeting a fresh upload) once, and one ended keeps its end", async () => {
    const job = await stage("twice-scheduled.ndjson");
    const scheduler = createJobScheduler({ store, logger });
    const [a, b] = [scheduler.run(job), scheduler.run(job)];
    expect(b).toBe(a);
    expect((await a)?.state).toBe("succeeded");
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "succeeded", attempts: 1 });
    expect(await store.finishImportJob(job.id, { state: "failed", failure: { reason: "internal", detail: "late" } })).toMatchObject({ state: "succeeded", failure: null });
  });
});

describe("fair queuing of chunks across organisations", () => {
  it("tags a new job's chunks after its organisation's waiting ones and no earlier than those being served: an organisation submitting job after job cannot starve another's large import", async () => {
    const fresh = await openPgliteTestStore();
    try {
      const deps = { store: fresh, logger };
      const stageScores = async (org: string, chunks: number) => {
        const file = join(dir, `fair-${org}-${chunks}.ndjson`);
        await writeFile(file, [...sampleLines({ dataset: "scores", rows: chunks * 2, bad: 0, seed: 9, org, format: "ndjson" })].join("\n") + "\n");
        return (await stageChunkedImport(deps, { orgId: org, dataset: "scores", format: "ndjson", file }, { chunkRecords: 2 })).job;
      };
      const victim = await stageScores("telco", 10);
      expect(victim.fairBase).toBe(0);
      // Half the victim's chunks are served.
      for (let seq = 0; seq < 5; seq++) await fresh.completeImportChunk(victim.id, seq);
      // Another organisation's job starts at the chunk now served: the two interleave (tags 5…9 each).
      const first = await stageScores("other", 5);
      expect(first.fairBase).toBe(5);
      // Its next job, while the first waits, queues after its own: behind the victim's remaining chunks.
      const second = await stageScores("other", 5);
      expect(second.fairBase).toBe(10);
      // With the victim done, tags start again from what still waits.
      for (let seq = 5; seq < 10; seq++) await fresh.completeImportChunk(victim.id, seq);
      for (let seq = 0; seq < 5; seq++) await fresh.completeImportChunk(first.id, seq);
      expect((await stageScores("telco", 1)).fairBase).toBe(10);
    } finally {
      await fresh.close();
    }
  });
});

describe("IMPORT_MAX_REJECTS", () => {
  it("fails a chunked job once its chunks' rejects pass the bound, and its later chunks change nothing", async () => {
    const file = join(dir, "many-rejects.ndjson");
    const lines = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? JSON.stringify({ externalId: `MR-${i}`, fullName: "Fine" }) : JSON.stringify({ externalId: `MR-${i}` })));
    await writeFile(file, `${lines.join("\n")}\n`);
    const deps = { store, logger, limits: { ...DEFAULT_IMPORT_LIMITS, maxRejects: 5 } };
    const staged = await stageChunkedImport(deps, { orgId: "telco", dataset: "customers", format: "ndjson", file }, { chunkRecords: 8 });
    for (let seq = 0; seq < staged.chunks; seq++) await runImportChunk(deps, staged.job.id, seq, { batchSize: 4 });
    const job = await store.findImportJob(staged.job.id);
    expect(job).toMatchObject({ state: "failed", failure: { reason: "too_many_rejects", detail: "more than 5 rows rejected (IMPORT_MAX_REJECTS): correct the file and import it again" } });
    // The second chunk passed the bound (4 + 2 rejects): the chunks after it never ran.
    expect(job?.rows).toEqual({ read: 12, imported: 6, unchanged: 0, rejected: 6 });
  });
});

describe("sweeping the staging directory at start", () => {
  it("removes staged files of finished or unknown jobs and uploads older than an hour, and keeps the rest", async () => {
    const sweepDir = await mkdtemp(join(tmpdir(), "imports-sweep-"));
    try {
      const queued = await stageImport(store, sweepDir, { orgId: "telco", dataset: "customers", format: "ndjson", body: fileBody(join(dir, "twice.ndjson")) });
      const staging = stagingDir(sweepDir);
      const gone = "00000000-0000-4000-8000-000000000000.csv";
      await writeFile(join(staging, gone), "x");
      await writeFile(join(staging, "upload-old"), "x");
      await writeFile(join(staging, "upload-new"), "x");
      const anHourAndASecondAgo = new Date(Date.now() - 60 * 60 * 1000 - 1000);
      await utimes(join(staging, "upload-old"), anHourAndASecondAgo, anHourAndASecondAgo);
      expect((await sweepStagedFiles(store, sweepDir)).sort()).toEqual([gone, "upload-old"]);
      expect((await readdir(staging)).sort()).toEqual([queued.source.slice(staging.length + 1), "upload-new"].sort());
      await store.finishImportJob(queued.id, { state: "failed", failure: { reason: "internal", detail: "test" } });
    } finally {
      await rm(sweepDir, { recursive: true, force: true });
    }
  });
});
