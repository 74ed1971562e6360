import { importDatasetFields, type ImportDataset } from "@insights/contracts/records";
import type { ImportReject } from "@insights/store";
import { oddQuotes, splitCsvRecord } from "./csv.js";
import { ImportFormatError } from "./import-format-error.js";
import { unknownFieldsMessage } from "./unknown-fields.js";
import { DEFAULT_READ_LIMITS, readLines, type NumberedLine, type ReadLimits, type ReadPosition } from "./line-reader.js";

export type ImportFormat = "ndjson" | "csv";

/** One record of the file (its first line), or why it could not be read as one. */
export type RawRecord = { line: number; fields: Record<string, unknown> } | { line: number; reject: ImportReject };

/** The field of a reject about the record as a whole rather than one of its fields. */
export const WHOLE_RECORD = "(record)";

const REPLACEMENT_CHARACTER = "\uFFFD";

function notUtf8(line: number): RawRecord {
  return { line, reject: { line, field: WHOLE_RECORD, message: "is not valid UTF-8" } };
}

function tooLong(line: number, maxRecordBytes: number): RawRecord {
  return { line, reject: { line, field: WHOLE_RECORD, message: `line too long: over ${maxRecordBytes} bytes (IMPORT_MAX_RECORD_BYTES)` } };
}

type Lines = AsyncIterable<NumberedLine> | Iterable<NumberedLine>;

async function* ndjsonRecords(lines: Lines, seenBefore: boolean, maxRecordBytes: number): AsyncGenerator<RawRecord> {
  let seenRecord = seenBefore;
  for await (const { line, text, tooLong: overLimit } of lines) {
    if (overLimit) {
      yield tooLong(line, maxRecordBytes);
      continue;
    }
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    if (!seenRecord && !isObject) {
      throw new ImportFormatError(`line ${line} is not a JSON object: the file is not NDJSON (is it CSV? use --format csv)`);
    }
    seenRecord = true;
    if (text.includes(REPLACEMENT_CHARACTER)) yield notUtf8(line);
    else if (!isObject) yield { line, reject: { line, field: WHOLE_RECORD, message: "is not a JSON object" } };
    else yield { line, fields: value as Record<string, unknown> };
  }
}

/** The column names of a CSV header line, checked against the dataset's fields. */
export function parseCsvHeader(text: string, dataset: ImportDataset): string[] {
  const known = new Set(importDatasetFields[dataset]);
  const names = splitCsvRecord(text.replace(/^\uFEFF/, ""));
  if (!names || text.trimStart().startsWith("{")) throw new ImportFormatError("the first line is not a CSV header: the file is not CSV (is it NDJSON? use --format ndjson)");
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new ImportFormatError(`the CSV header has ${unknownFieldsMessage(unknown, "column")}; the ${dataset} columns are ${[...known].join(", ")}`);
  }
  if (new Set(names).size !== names.length) throw new ImportFormatError("the CSV header names a column twice");
  return names;
}

/** The column names of a CSV file's first record: a header too long to hold is not importable. */
export function csvHeaderOf(record: NumberedLine, dataset: ImportDataset, maxRecordBytes: number): string[] {
  if (record.tooLong) throw new ImportFormatError(`the CSV header is longer than ${maxRecordBytes} bytes (IMPORT_MAX_RECORD_BYTES)`);
  return parseCsvHeader(record.text, dataset);
}

/**
 * A CSV record's text, numbered by its first line; `lines` is how many lines of the file it
 * spans. `tooLong`: it ran past the record limit (its text was dropped; it still ends where its
 * quotes close). `unclosed`: the file ended inside a quoted field.
 */
export type RecordText = NumberedLine & { lines: number; unclosed?: true };

/**
 * Whole records' text (a quoted CSV field may span lines). Linear in the file: each line's quotes
 * are counted once, as it arrives, and a record holds at most `maxRecordBytes` (UTF-8) of text.
 */
export async function* csvRecordTexts(lines: Lines, maxRecordBytes: number): AsyncGenerator<RecordText> {
  type Pending = { line: number; parts: string[]; bytes: number; lines: number; tooLong: boolean };
  let pending: Pending | undefined;
  let open = false;
  const ended = ({ line, parts, lines, tooLong }: Pending): RecordText => (tooLong ? { line, text: "", tooLong, lines } : { line, text: parts.join("\n"), lines });
  for await (const { line, text, tooLong: lineTooLong, oddQuotes: lineOddQuotes } of lines) {
    pending ??= { line, parts: [], bytes: -1, lines: 0, tooLong: false };
    pending.lines++;
    if (lineTooLong ? lineOddQuotes === true : oddQuotes(text)) open = !open;
    pending.bytes += Buffer.byteLength(text) + 1;
    if (lineTooLong || pending.bytes > maxRecordBytes) {
      pending.tooLong = true;
      pending.parts = [];
    } else if (!pending.tooLong) pending.parts.push(text);
    if (open) continue;
    yield ended(pending);
    pending = undefined;
  }
  if (pending) yield pending.tooLong ? ended(pending) : { ...ended(pending), unclosed: true };
}

async function* csvRecords(lines: Lines, dataset: ImportDataset, knownHeader: string[] | undefined, maxRecordBytes: number): AsyncGenerator<RawRecord> {
  let header = knownHeader;
  for await (const record of csvRecordTexts(lines, maxRecordBytes)) {
    if (!header) {
      header = csvHeaderOf(record, dataset, maxRecordBytes);
      continue;
    }
    if (record.tooLong) {
      yield tooLong(record.line, maxRecordBytes);
      continue;
    }
    if (record.unclosed) {
      yield { line: record.line, reject: { line: record.line, field: WHOLE_RECORD, message: "has a quoted field that is never closed" } };
      continue;
    }
    if (record.text === "") continue;
    if (record.text.includes(REPLACEMENT_CHARACTER)) {
      yield notUtf8(record.line);
      continue;
    }
    const cells = splitCsvRecord(record.text);
    if (!cells) {
      yield { line: record.line, reject: { line: record.line, field: WHOLE_RECORD, message: "has a misplaced double quote" } };
      continue;
    }
    if (cells.length !== header.length) {
      yield { line: record.line, reject: { line: record.line, field: WHOLE_RECORD, message: `has ${cells.length} cells; the header has ${header.length}` } };
      continue;
    }
    const fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    header.forEach((name, i) => (fields[name] = cells[i]));
    yield { line: record.line, fields };
  }
  if (!header) throw new ImportFormatError("the file is empty: a CSV file starts with a header row");
}

/**
 * Records from numbered lines. A chunk of a file passes the CSV header it was cut from (its
 * first line is then data); for NDJSON, whether the file's first record was already seen.
 */
export function recordsFromLines(
  lines: Lines,
  dataset: ImportDataset,
  format: ImportFormat,
  maxRecordBytes: number,
  chunk?: { header: string[] | undefined },
): AsyncGenerator<RawRecord> {
  return format === "ndjson" ? ndjsonRecords(lines, chunk !== undefined, maxRecordBytes) : csvRecords(lines, dataset, chunk?.header, maxRecordBytes);
}

/** The records of a staged import file, in order, each with the line it starts on. */
export function readRecords(path: string, dataset: ImportDataset, format: ImportFormat, position: ReadPosition, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncGenerator<RawRecord> {
  return recordsFromLines(readLines(path, position, limits), dataset, format, limits.maxRecordBytes);
}
