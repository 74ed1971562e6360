import { importDatasetFields, importDatasets, importRecordSchemas, type ImportDataset } from "@insights/contracts/records";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRecordSchema } from "../src/compiled-schema.js";
import { recordsFromLines, type ImportFormat } from "../src/record-reader.js";
import { sampleLines } from "../src/sample.js";
import { validateRecord, validateWithZod } from "../src/validate-record.js";

/** The records of a sample file as the readers give them (CSV: every cell a string, on a null-prototype object). */
async function sampleRecords(dataset: ImportDataset, format: ImportFormat, rows: number, bad: number): Promise<Record<string, unknown>[]> {
  const lines = [...sampleLines({ dataset, rows, bad, seed: 5, org: "telco", format })].map((text, i) => ({ line: i + 1, text }));
  const records: Record<string, unknown>[] = [];
  for await (const record of recordsFromLines(lines, dataset, format, 1 << 20)) if ("fields" in record) records.push(record.fields);
  return records;
}

/** Compiled and Zod agree on a record: the same verdict, and the same output (keys in the same order). */
function expectSameVerdict(dataset: ImportDataset, fields: Record<string, unknown>) {
  const zod = importRecordSchemas[dataset].safeParse(fields);
  const compiled = compileRecordSchema(importRecordSchemas[dataset])(fields);
  expect(compiled.ok, JSON.stringify(fields)).toBe(zod.success);
  if (compiled.ok && zod.success) {
    expect(compiled.data).toStrictEqual(zod.data);
    expect(Object.keys(compiled.data)).toEqual(Object.keys(zod.data as object));
  }
  // And what an import stores or rejects is Zod's, word for word.
  expect(validateRecord(dataset, 7, fields)).toStrictEqual(validateWithZod(dataset, 7, fields));
}

/** Values that probe each kind of check: types, emptiness, whitespace, bounds, patterns, control characters. */
const probe = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("", " ", "  x  ", null, true, 0, -1, 1.5, Number.NaN, 300, 850, 19, 20, 2147483647, 2147483648, -2147483649, "12", " 12 ", "1e3", "-0"),
  fc.constantFrom("2024-02-29", "2023-02-29", "2024-13-01", "Europe/Madrid", "Mars/Olympus", "consumer", "business", "gaugeMetric", "veritasIndex"),
  fc.constantFrom("+34600000001", "+0600000001", "4969450000000016", "49694500000", "123456789012", "49b6f772-6327-46c4-b069-c43a8c3b7cf3", "49b6f772-6327-46c4-b069"),
  fc.constantFrom("a\u0000b", "tab\there", "line\nbreak", "esc\u001b[2J", "\u007f", "x".repeat(201), "x".repeat(1001), "A", "a.b-c", "_x", "CUST-000001"),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

describe("the compiled record schemas", () => {
  for (const dataset of importDatasets) {
    for (const format of ["ndjson", "csv"] as const) {
      it(`${dataset} (${format}): every sample record, valid or spoiled, gets Zod's verdict and output`, async () => {
        const records = await sampleRecords(dataset, format, 300, 100);
        expect(records.length).toBeGreaterThan(250);
        for (const fields of records) expectSameVerdict(dataset, fields);
        // The compiled checks are the path valid records take (else they would buy nothing).
        const valid = records.filter((fields) => importRecordSchemas[dataset].safeParse(fields).success);
        expect(valid.length).toBeGreaterThan(150);
        for (const fields of valid) expect(compileRecordSchema(importRecordSchemas[dataset])(fields).ok).toBe(true);
      });
    }

    it(`${dataset}: random changes to valid records (values, missing and unknown fields) get Zod's verdict and output`, async () => {
      const base = await sampleRecords(dataset, "ndjson", 20, 0);
      const names = [...importDatasetFields[dataset], "unknown", "__proto__", "line"];
      fc.assert(
        fc.property(
          fc.nat({ max: base.length - 1 }),
          fc.array(fc.tuple(fc.constantFrom(...names), fc.option(probe, { nil: undefined }), fc.boolean()), { maxLength: 4 }),
          (index, changes) => {
            const fields: Record<string, unknown> = JSON.parse(JSON.stringify(base[index])) as Record<string, unknown>;
            for (const [name, value, remove] of changes) {
              if (remove) delete fields[name];
              else Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
            }
            expectSameVerdict(dataset, fields);
          },
        ),
        { seed: 25, numRuns: 1500 },
      );
    });
  }

  it("whatever is not a plain object goes to Zod", () => {
    for (const value of [null, undefined, 1, "x", [], new Map(), new Date(0), { then: () => 1, catch: () => 1 }]) {
      expect(compileRecordSchema(importRecordSchemas.customers)(value)).toEqual({ ok: false });
    }
  });
});
