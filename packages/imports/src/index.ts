export { csvField, splitCsvRecord } from "./csv.js";
export { ImportFormatError } from "./import-format-error.js";
export { executeJob, resumeUnfinishedJobs } from "./jobs.js";
export { readRecords, WHOLE_RECORD, type ImportFormat, type RawRecord } from "./record-reader.js";
export { DEFAULT_BATCH_SIZE, runImport, type ImportDeps, type ImportOutcome, type ImportProgress, type JobToRun, type RunOptions } from "./run-import.js";
export { sampleExternalId, sampleLines, type SampleOptions } from "./sample.js";
export { fileBody, removeStagedFile, stageImport, stagingDir, type NewImport } from "./staging.js";
export { validateRecord, type Validated } from "./validate-record.js";
