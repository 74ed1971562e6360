import type { ImportFailure, ImportFailureReason } from "@insights/contracts/imports";

/**
 * The file cannot be imported as declared (format, compression, header, size, rejects, or gone):
 * the job fails with this reason and message (never a row's values).
 */
export class ImportFormatError extends Error {
  override name = "ImportFormatError";

  constructor(
    message: string,
    readonly reason: Exclude<ImportFailureReason, "internal" | "unclassified"> = "not_the_format",
  ) {
    super(message);
  }

  get failure(): ImportFailure {
    return { reason: this.reason, detail: this.message };
  }
}
