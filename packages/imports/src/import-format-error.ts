/** The file is not what it was declared to be (format, compression, header): the job fails with this message. */
export class ImportFormatError extends Error {
  override name = "ImportFormatError";
}
