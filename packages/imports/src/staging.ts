import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImportDataset } from "@insights/contracts/records";
import type { ImportJob, Store } from "@insights/store";
import type { ImportFormat } from "./record-reader.js";

/** `maxActive`: IMPORT_MAX_ACTIVE_JOBS_PER_ORG, checked as the job is recorded (the store's ActiveImportLimitReached). */
export type NewImport = { orgId: string; dataset: ImportDataset; format: ImportFormat; body: Readable; maxActive?: number | undefined };

/** Where staged files live: beside the embedded store, under DATA_DIR. */
export function stagingDir(dataDir: string): string {
  return join(dataDir, "imports");
}

/** Opens a local file as an import body. */
export function fileBody(path: string): Readable {
  return createReadStream(path);
}

/**
 * Copies the file (as given: a .gz stays compressed) to the staging directory, then records the
 * job, queued. The job exists only once its file is durably staged, so it can always be resumed.
 */
export async function stageImport(store: Store, dataDir: string, input: NewImport): Promise<ImportJob> {
  const id = randomUUID();
  const dir = stagingDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const source = join(dir, `${id}.${input.format}`);
  const out = createWriteStream(source, { flags: "wx", mode: 0o600, flush: true });
  try {
    await pipeline(input.body, out);
    return await store.createImportJob({ id, orgId: input.orgId, dataset: input.dataset, format: input.format, source, maxActive: input.maxActive });
  } catch (error) {
    await rm(source, { force: true });
    throw error;
  }
}

/** A finished job's staged file is no longer needed (its rejects are in the store). */
export async function removeStagedFile(source: string): Promise<void> {
  await rm(source, { force: true });
}

/** An upload being staged for the queue (PostgreSQL) is removed when its request ends; one older than this was left by a crash. */
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;
const UPLOAD_PREFIX = "upload-";

/** Writes an upload's body to a file of its own in the staging directory for `use`, and removes the file once `use` is done. */
export async function withUploadFile<T>(dataDir: string, body: Readable, use: (file: string) => Promise<T>): Promise<T> {
  const dir = stagingDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${UPLOAD_PREFIX}${randomUUID()}`);
  try {
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
}
const STAGED_JOB_FILE = /^([0-9a-f-]{36})\.(ndjson|csv)$/;

/**
 * Removes what crashed processes left in the staging directory: staged files of jobs that are
 * no longer queued or running (or no longer exist), and uploads older than an hour. Returns the
 * names removed.
 */
export async function sweepStagedFiles(store: Store, dataDir: string, now = Date.now()): Promise<string[]> {
  const dir = stagingDir(dataDir);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const unfinished = new Set((await store.listUnfinishedImportJobs()).map((job) => job.id));
  const removed: string[] = [];
  for (const name of names) {
    const job = STAGED_JOB_FILE.exec(name)?.[1];
    const abandoned = job ? !unfinished.has(job) : name.startsWith(UPLOAD_PREFIX) && now - (await stat(join(dir, name))).mtimeMs > ABANDONED_UPLOAD_MS;
    if (!abandoned) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
