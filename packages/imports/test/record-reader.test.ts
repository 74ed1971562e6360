import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitCsvRecord } from "../src/csv.js";
import { ImportFormatError } from "../src/import-format-error.js";
import { sampleLines, type ImportFormat } from "../src/index.js";
import { readRecords, type RawRecord } from "../src/record-reader.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "imports-reader-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function read(content: string | Buffer, format: ImportFormat, dataset: "customers" | "scores" = "scores"): Promise<RawRecord[]> {
  const path = join(dir, `f-${Math.random()}`);
  await writeFile(path, content);
  const out: RawRecord[] = [];
  for await (const record of readRecords(path, dataset, format, { bytesRead: 0, totalBytes: 0 })) out.push(record);
  return out;
}

describe("reading import files", () => {
  it("numbers NDJSON records by line, skipping blank lines, and rejects a line that is not an object", async () => {
    const records = await read('{"externalId":"A"}\n\n[1]\n{"externalId":"B"}\r\n', "ndjson");
    expect(records).toEqual([
      { line: 1, fields: { externalId: "A" } },
      { line: 3, reject: { line: 3, field: "(record)", message: "is not a JSON object" } },
      { line: 4, fields: { externalId: "B" } },
    ]);
  });

  it("reads gzip by its magic bytes, whatever the name", async () => {
    const records = await read(gzipSync('{"externalId":"A"}\n'), "ndjson");
    expect(records).toEqual([{ line: 1, fields: { externalId: "A" } }]);
  });

  it("fails a truncated gzip file as not the declared format", async () => {
    const whole = gzipSync(Array.from({ length: 2000 }, (_, i) => `{"externalId":"A${i}"}`).join("\n"));
    await expect(read(whole.subarray(0, whole.length - 40), "ndjson")).rejects.toThrow(ImportFormatError);
  });

  it("reads CSV with a header, quoted commas, doubled quotes and a quoted line break (numbered by its first line)", async () => {
    const records = await read('externalId,scoringType,scoringValue\nA,"gauge,Metric",1\n"B ""x""","multi\nline",2\nC,gaugeMetric\n', "csv");
    expect(records).toEqual([
      { line: 2, fields: { externalId: "A", scoringType: "gauge,Metric", scoringValue: "1" } },
      { line: 3, fields: { externalId: 'B "x"', scoringType: "multi\nline", scoringValue: "2" } },
      { line: 5, reject: { line: 5, field: "(record)", message: "has 2 cells; the header has 3" } },
    ]);
  });

  it.each([
    ["CSV declared as NDJSON", "externalId,scoringType\nA,gaugeMetric\n", "ndjson" as const, /not NDJSON/],
    ["NDJSON declared as CSV", '{"externalId":"A"}\n', "csv" as const, /not CSV/],
    ["a CSV header with an unknown column", "externalId,colour\nA,red\n", "csv" as const, /unknown column: colour;/],
    ["an empty CSV file", "", "csv" as const, /empty/],
  ])("fails %s with a clear error", async (_name, content, format, message) => {
    await expect(read(content, format)).rejects.toThrow(message);
  });

  it("rejects a line that is not valid UTF-8", async () => {
    const records = await read(Buffer.concat([Buffer.from('{"externalId":"A"}\n{"externalId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]), "ndjson");
    expect(records[1]).toEqual({ line: 2, reject: { line: 2, field: "(record)", message: "is not valid UTF-8" } });
  });

  it("splits CSV records and refuses a misplaced quote", () => {
    expect(splitCsvRecord('a,"b,c",,d')).toEqual(["a", "b,c", "", "d"]);
    expect(splitCsvRecord('a,b"c')).toBeUndefined();
    expect(splitCsvRecord('"a"b')).toBeUndefined();
  });
});

describe("samples", () => {
  it("are the same bytes for the same seed, and differ with another seed", () => {
    const options = { dataset: "customers" as const, rows: 50, bad: 5, seed: 7, org: "telco", format: "csv" as const };
    const a = [...sampleLines(options)].join("\n");
    expect([...sampleLines(options)].join("\n")).toBe(a);
    expect([...sampleLines({ ...options, seed: 8 })].join("\n")).not.toBe(a);
  });

  it("have a header and N rows in CSV", () => {
    const lines = [...sampleLines({ dataset: "scores", rows: 10, bad: 0, seed: 1, org: "telco", format: "csv" })];
    expect(lines[0]).toBe("externalId,scoringType,scoringValue");
    expect(lines).toHaveLength(11);
  });
});
