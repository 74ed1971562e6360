/** The file cannot be imported as declared (format, compression, header, or gone): the job fails with this message. */
export class ImportFormatError extends Error {
  override name = "ImportFormatError";
}
