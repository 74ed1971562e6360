import type { ImportDataset, ImportRecord } from "@insights/contracts/records";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { ImportReject } from "./import-jobs.js";

/** What every dataset's rows are applied with. */
export type ImportContext = {
  jobId: string;
  orgId: string;
  hasher: IdentifierHasher;
};

/** Rows that changed something, rows already as stored, and rows refused against stored data. */
export type BatchOutcome = { imported: number; unchanged: number; rejects: ImportReject[] };

/** A valid row of a dataset: the contract's record (packages/contracts, its import schema's output) with its line in the file. */
export type ImportRow<D extends ImportDataset> = ImportRecord<D> & { line: number };
