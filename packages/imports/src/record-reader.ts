import { importDatasetFields, type ImportDataset } from "@insights/contracts/records";
import type { ImportReject } from "@insights/store";
import { hasOpenQuote, splitCsvRecord } from "./csv.js";
import { ImportFormatError } from "./import-format-error.js";
import { readLines, type NumberedLine, type ReadPosition } from "./line-reader.js";

export type ImportFormat = "ndjson" | "csv";

/** One record of the file (its first line), or why it could not be read as one. */
export type RawRecord = { line: number; fields: Record<string, unknown> } | { line: number; reject: ImportReject };

/** The field of a reject about the record as a whole rather than one of its fields. */
export const WHOLE_RECORD = "(record)";

const REPLACEMENT_CHARACTER = "\uFFFD";

function notUtf8(line: number): RawRecord {
  return { line, reject: { line, field: WHOLE_RECORD, message: "is not valid UTF-8" } };
}

type Lines = AsyncIterable<NumberedLine> | Iterable<NumberedLine>;

async function* ndjsonRecords(lines: Lines, seenBefore: boolean): AsyncGenerator<RawRecord> {
  let seenRecord = seenBefore;
  for await (const { line, text } of lines) {
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
    throw new ImportFormatError(`the CSV header has unknown column ${JSON.stringify(unknown[0])}; the ${dataset} columns are ${[...known].join(", ")}`);
  }
  if (new Set(names).size !== names.length) throw new ImportFormatError("the CSV header names a column twice");
  return names;
}

/** Whole records' text (a quoted CSV field may span lines), each numbered by its first line. */
export async function* csvRecordTexts(lines: Lines): AsyncGenerator<NumberedLine> {
  let pending: NumberedLine | undefined;
  for await (const { line, text } of lines) {
    const record = pending ? { line: pending.line, text: `${pending.text}\n${text}` } : { line, text };
    if (hasOpenQuote(record.text)) {
      pending = record;
      continue;
    }
    pending = undefined;
    yield record;
  }
  if (pending) yield pending;
}

async function* csvRecords(lines: Lines, dataset: ImportDataset, knownHeader: string[] | undefined): AsyncGenerator<RawRecord> {
  let header = knownHeader;
  for await (const record of csvRecordTexts(lines)) {
    if (!header) {
      header = parseCsvHeader(record.text, dataset);
      continue;
    }
    if (hasOpenQuote(record.text)) {
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
export function recordsFromLines(lines: Lines, dataset: ImportDataset, format: ImportFormat, chunk?: { header: string[] | undefined }): AsyncGenerator<RawRecord> {
  return format === "ndjson" ? ndjsonRecords(lines, chunk !== undefined) : csvRecords(lines, dataset, chunk?.header);
}

/** The records of a staged import file, in order, each with the line it starts on. */
export function readRecords(path: string, dataset: ImportDataset, format: ImportFormat, position: ReadPosition): AsyncGenerator<RawRecord> {
  return recordsFromLines(readLines(path, position), dataset, format);
}
