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
