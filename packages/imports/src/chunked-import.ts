import { randomUUID } from "node:crypto";
import type { ImportDataset } from "@insights/contracts/records";
import type { ImportJob } from "@insights/store";
import { ImportFormatError } from "./import-format-error.js";
import { readLines, type NumberedLine, type ReadPosition } from "./line-reader.js";
import { csvHeaderOf, csvRecordTexts, parseCsvHeader, recordsFromLines, type ImportFormat, type RecordText } from "./record-reader.js";
import { DEFAULT_BATCH_SIZE, importLimitsOf, importRecords, type ImportDeps } from "./run-import.js";

/** Records per chunk: a chunk is one queue job, small enough to redo quickly after a crash. */
export const DEFAULT_CHUNK_RECORDS = 5000;

export type StagedChunks = { job: ImportJob; chunks: number; records: number };

/**
 * Stages a file in the database (PostgreSQL), cut into chunks of whole records, in one
 * transaction with its job: once this returns, the import survives any crash. A file that is
 * not the declared format gives a failed job instead (nothing to enqueue).
 */
export async function stageChunkedImport(
  deps: ImportDeps,
  input: { orgId: string; dataset: ImportDataset; format: ImportFormat; file: string; maxActive?: number | undefined },
  options: { chunkRecords?: number } = {},
): Promise<StagedChunks> {
  const id = randomUUID();
  const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS;
  const limits = importLimitsOf(deps);
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const lines = readLines(input.file, position, limits);
  const records: AsyncIterator<NumberedLine & Partial<Pick<RecordText, "lines">>> =
    input.format === "csv" ? csvRecordTexts(lines, limits.maxRecordBytes)[Symbol.asyncIterator]() : lines[Symbol.asyncIterator]();
  let total = 0;
  try {
    let header: string | null = null;
    if (input.format === "csv") {
      const first = await records.next();
      if (first.done) throw new ImportFormatError("the file is empty: a CSV file starts with a header row");
      csvHeaderOf(first.value, input.dataset, limits.maxRecordBytes);
      header = first.value.text;
    }
    const chunks = await deps.store.stageChunkedImportJob({ id, orgId: input.orgId, dataset: input.dataset, format: input.format, source: "database", header, maxActive: input.maxActive }, async (addChunk) => {
      let texts: string[] = [];
      let longLines: number[] = [];
      let firstLine = 0;
      let seenRecord = false;
      const addTexts = async () => {
        await addChunk(firstLine, texts.join("\n"), longLines);
        texts = [];
        longLines = [];
      };
      for (let next = await records.next(); !next.done; next = await records.next()) {
        const { line, text, tooLong, lines: spanned = 1 } = next.value;
        if (texts.length === 0) firstLine = line;
        if (tooLong) {
          // Its bytes were never held: empty lines keep the numbering, the chunk names the line.
          longLines.push(line);
          texts.push("\n".repeat(spanned - 1));
          total++;
          if (texts.length >= chunkRecords) await addTexts();
          continue;
        }
        if (input.format === "ndjson" && !seenRecord && text.trim() !== "") {
          seenRecord = true;
          // The first record decides whether this is NDJSON at all, as in a file-staged run.
          const value: unknown = (() => {
            try {
              return JSON.parse(text);
            } catch {
              return undefined;
            }
          })();
          if (typeof value !== "object" || value === null || Array.isArray(value)) {
            throw new ImportFormatError(`line ${line} is not a JSON object: the file is not NDJSON (is it CSV? use --format csv)`);
          }
        }
        texts.push(text);
        if (text.trim() !== "") total++;
        if (texts.length >= chunkRecords) await addTexts();
      }
      if (texts.length > 0) await addTexts();
    });
    const job = await deps.store.findImportJob(id);
    if (!job) throw new Error(`import job ${id} vanished after staging`);
    return { job, chunks, records: total };
  } catch (error) {
    await records.return?.();
    if (!(error instanceof ImportFormatError)) throw error;
    await deps.store.createImportJob({ id, orgId: input.orgId, dataset: input.dataset, format: input.format, source: "database" });
    return { job: await deps.store.finishImportJob(id, { state: "failed", failure: error.failure }), chunks: 0, records: 0 };
  }
}

/**
 * Imports one chunk (a queue job): its records after the chunk's checkpoint, in batches that
 * each commit with that checkpoint; then marks it done (the last chunk done ends the job).
 * Running a chunk again — after a crash, or delivered twice — changes nothing twice.
 */
export async function runImportChunk(deps: ImportDeps, jobId: string, seq: number, options: { batchSize?: number } = {}): Promise<void> {
  const loaded = await deps.store.loadImportChunk(jobId, seq);
  if (!loaded || loaded.chunk.done || loaded.job.state === "failed" || loaded.job.state === "succeeded") return;
  const { job, chunk } = loaded;
  await deps.store.markImportJobRunning(jobId);
  const header = job.format === "csv" && loaded.header !== null ? parseCsvHeader(loaded.header, job.dataset) : undefined;
  const longLines = new Set(chunk.longLines);
  const lines = chunk.body.split("\n").map((text, i): NumberedLine => (longLines.has(chunk.firstLine + i) ? { line: chunk.firstLine + i, text: "", tooLong: true } : { line: chunk.firstLine + i, text }));
  const { maxRecordBytes } = importLimitsOf(deps);
  try {
    await importRecords(deps, { job, skipThrough: chunk.checkpointLine, chunk: seq }, recordsFromLines(lines, job.dataset, job.format, maxRecordBytes, { header }), {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      dryRun: false,
      // The job's rejects so far, other chunks' included (each chunk may pass the bound by a batch).
      rejectedBefore: job.rows.rejected,
    });
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    // The file's fault, final: the job fails now (its other chunks see it and stop), no retry.
    await deps.store.finishImportJob(jobId, { state: "failed", failure: error.failure });
    deps.logger.warn({ job: jobId, chunk: seq, reason: error.reason, detail: error.message }, "import failed");
    return;
  }
  const state = await deps.store.completeImportChunk(jobId, seq);
  deps.logger.info({ job: jobId, chunk: seq, jobState: state }, "import chunk done");
}

/** A chunk that failed on its last attempt fails its job (the error text holds no row data). */
export async function failImportForChunk(deps: ImportDeps, jobId: string, seq: number): Promise<void> {
  await deps.store.finishImportJob(jobId, { state: "failed", failure: { reason: "internal", detail: `chunk ${seq} could not be imported after retries (see the worker's log)` } });
}
