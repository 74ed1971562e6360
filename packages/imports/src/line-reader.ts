import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { ImportFormatError } from "./import-format-error.js";

/**
 * One line of the file, numbered from 1. A line longer than the record limit is `tooLong`: its
 * bytes were dropped as they arrived (never held), its text is empty, and `oddQuotes` says
 * whether it held an odd number of double quotes (so a CSV reader knows where a quoted field ends).
 */
export type NumberedLine = { line: number; text: string; tooLong?: true; oddQuotes?: boolean };

/** How far into the (possibly compressed) file the reader is: for progress and ETA. */
export type ReadPosition = { bytesRead: number; totalBytes: number };

/** What one file may make the reader hold or read (IMPORT_MAX_RECORD_BYTES, IMPORT_MAX_DECOMPRESSED_MB). */
export type ReadLimits = {
  /** The longest line, and the longest CSV record (its lines together), in bytes. */
  maxRecordBytes: number;
  /** The most bytes the file may hold once decompressed (all of it, for a file that is not gzip). */
  maxDecompressedBytes: number;
};

export const DEFAULT_READ_LIMITS: ReadLimits = { maxRecordBytes: 1024 * 1024, maxDecompressedBytes: 4 * 1024 * 1024 * 1024 };

/**
 * The read limits and the other bounds of an import: the interruptions a file-staged job may
 * have and still resume (IMPORT_MAX_ATTEMPTS), the largest upload (IMPORT_MAX_UPLOAD_MB), the
 * rejects a job may have (IMPORT_MAX_REJECTS) and one organisation's jobs at once
 * (IMPORT_MAX_ACTIVE_JOBS_PER_ORG).
 */
export type ImportLimits = ReadLimits & { maxAttempts: number; maxUploadBytes: number; maxRejects: number; maxActiveJobsPerOrg: number };

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { ...DEFAULT_READ_LIMITS, maxAttempts: 3, maxUploadBytes: 1024 * 1024 * 1024, maxRejects: 10_000, maxActiveJobsPerOrg: 2 };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** A line's bytes as text, less a final CR (CRLF files); bytes that are not UTF-8 become U+FFFD. */
function lineText(pieces: Buffer[], length: number): string {
  const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
  const end = length > 0 && bytes[length - 1] === CARRIAGE_RETURN ? length - 1 : length;
  return bytes.toString("utf8", 0, end);
}

const QUOTE = 0x22;

/** Whether a run of bytes holds an odd number of double quotes. */
function oddQuoteBytes(bytes: Buffer, start = 0, end = bytes.length): boolean {
  let odd = false;
  for (let at = bytes.indexOf(QUOTE, start); at !== -1 && at < end; at = bytes.indexOf(QUOTE, at + 1)) odd = !odd;
  return odd;
}

/**
 * Splits a stream of bytes into numbered lines at LF, holding at most `maxRecordBytes` of a line:
 * past that the line is dropped as it arrives (only its quotes are counted) and given as
 * `tooLong` at its end. Fails with an ImportFormatError once more than `maxDecompressedBytes`
 * have arrived.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, limits: ReadLimits): AsyncGenerator<NumberedLine> {
  let pieces: Buffer[] = [];
  let pending = 0;
  let tooLong = false;
  let oddQuotes = false;
  let line = 0;
  let total = 0;
  const dropped = (): NumberedLine => ({ line, text: "", tooLong: true, oddQuotes });
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limits.maxDecompressedBytes) {
      throw new ImportFormatError(`the file holds more than ${limits.maxDecompressedBytes} bytes once decompressed (IMPORT_MAX_DECOMPRESSED_MB)`, "too_large");
    }
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (tooLong) {
        if (oddQuoteBytes(chunk, start, end)) oddQuotes = !oddQuotes;
      } else if (end > start) {
        if (pending + (end - start) > limits.maxRecordBytes) {
          tooLong = true;
          oddQuotes = pieces.reduce((odd, piece) => odd !== oddQuoteBytes(piece), oddQuoteBytes(chunk, start, end));
          pieces = [];
          pending = 0;
        } else {
          pieces.push(chunk.subarray(start, end));
          pending += end - start;
        }
      }
      if (newline === -1) break;
      line++;
      yield tooLong ? dropped() : { line, text: lineText(pieces, pending) };
      pieces = [];
      pending = 0;
      tooLong = false;
      oddQuotes = false;
      start = newline + 1;
    }
  }
  line++;
  if (tooLong) yield dropped();
  else if (pending > 0) yield { line, text: lineText(pieces, pending) };
}

/**
 * The lines of a UTF-8 file, numbered from 1, streamed (memory stays flat whatever the size and
 * whatever the bytes: see splitLines). Gzip is recognised by its magic bytes, whatever the file
 * is called; a damaged gzip stream is an ImportFormatError.
 */
export async function* readLines(path: string, position: ReadPosition, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncGenerator<NumberedLine> {
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      position.bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  let source: Readable = raw.pipe(counter);
  if (await isGzip(path)) {
    const gunzip = createGunzip();
    source = source.pipe(gunzip);
    counter.on("error", (error) => gunzip.destroy(error));
  }
  raw.on("error", (error) => source.destroy(error));
  let line = 0;
  try {
    for await (const numbered of splitLines(source, limits)) {
      line = numbered.line;
      yield numbered;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") throw new ImportFormatError(`the file is not valid gzip (after line ${line})`);
    throw error;
  } finally {
    source.destroy();
    raw.destroy();
  }
}
