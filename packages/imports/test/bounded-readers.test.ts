import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportFormatError } from "../src/import-format-error.js";
import { DEFAULT_READ_LIMITS, splitLines, type NumberedLine, type ReadLimits } from "../src/line-reader.js";
import { csvRecordTexts, readRecords, recordsFromLines, type RawRecord } from "../src/record-reader.js";

const MiB = 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "imports-bounded-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `count` chunks of one reused buffer: as many bytes as wanted, none of them held by the test. */
async function* repeated(chunk: Buffer, count: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield chunk;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function readFile(content: Buffer | string, format: "ndjson" | "csv", limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<RawRecord[]> {
  const path = join(dir, `f-${Math.random()}`);
  await writeFile(path, content);
  return collect(readRecords(path, "scores", format, { bytesRead: 0, totalBytes: 0 }, limits));
}

const tooLongReject = (line: number, max = DEFAULT_READ_LIMITS.maxRecordBytes): RawRecord => ({
  line,
  reject: { line, field: "(record)", message: `line too long: over ${max} bytes (IMPORT_MAX_RECORD_BYTES)` },
});

describe("a line longer than IMPORT_MAX_RECORD_BYTES", () => {
  it("is one line too long, and reading goes on at the next newline (600 MiB with no newline, the crash of a gzip bomb)", async () => {
    const a = Buffer.alloc(MiB, "a");
    async function* bomb() {
      yield* repeated(a, 600);
      yield Buffer.from("\nafter\n");
    }
    const lines = await collect(splitLines(bomb(), { ...DEFAULT_READ_LIMITS, maxDecompressedBytes: 1024 * MiB }));
    expect(lines).toEqual([
      { line: 1, text: "", tooLong: true, oddQuotes: false },
      { line: 2, text: "after" },
    ]);
  });

  it("is read whole at exactly the limit, and is too long one byte past it", async () => {
    const limits = { ...DEFAULT_READ_LIMITS, maxRecordBytes: 10 };
    const lines = await collect(splitLines(repeated(Buffer.from('0123456789\n01234567890\n0123456789\r\n"123"56789"\n'), 1), limits));
    expect(lines).toEqual([
      { line: 1, text: "0123456789" },
      { line: 2, text: "", tooLong: true, oddQuotes: false },
      // A CRLF line's CR counts: 11 bytes arrived before its newline.
      { line: 3, text: "", tooLong: true, oddQuotes: false },
      // Its quotes are counted, held or dropped: three.
      { line: 4, text: "", tooLong: true, oddQuotes: true },
    ]);
  });

  it("is a rejected row through a gzip file, in NDJSON and in CSV, and the rows after it are read", async () => {
    const limits = { ...DEFAULT_READ_LIMITS, maxRecordBytes: 64 };
    const long = "x".repeat(4 * MiB);
    const ndjson = gzipSync(`{"externalId":"A","scoringValue":1}\n{"externalId":"${long}"}\n{"externalId":"B"}\n`);
    expect(await readFile(ndjson, "ndjson", limits)).toEqual([
      { line: 1, fields: { externalId: "A", scoringValue: 1 } },
      tooLongReject(2, 64),
      { line: 3, fields: { externalId: "B" } },
    ]);
    const csv = gzipSync(`externalId,scoringValue\nA,1\n"${long}",2\nB,3\n`);
    expect(await readFile(csv, "csv", limits)).toEqual([
      { line: 2, fields: { externalId: "A", scoringValue: "1" } },
      tooLongReject(3, 64),
      { line: 4, fields: { externalId: "B", scoringValue: "3" } },
    ]);
  });

  it("fails a CSV file whose header is too long, as not importable", async () => {
    await expect(readFile(`${"a".repeat(100)}\nA\n`, "csv", { ...DEFAULT_READ_LIMITS, maxRecordBytes: 64 })).rejects.toThrow(/the CSV header is longer than 64 bytes/);
  });
});

describe("IMPORT_MAX_DECOMPRESSED_MB", () => {
  it("fails the file past the limit, and reads it at exactly the limit", async () => {
    const body = `${'{"externalId":"A"}\n'.repeat(1000)}`;
    const exact = { ...DEFAULT_READ_LIMITS, maxDecompressedBytes: Buffer.byteLength(body) };
    expect(await readFile(gzipSync(body), "ndjson", exact)).toHaveLength(1000);
    const under = { ...DEFAULT_READ_LIMITS, maxDecompressedBytes: Buffer.byteLength(body) - 1 };
    await expect(readFile(gzipSync(body), "ndjson", under)).rejects.toThrow(/more than \d+ bytes once decompressed \(IMPORT_MAX_DECOMPRESSED_MB\)/);
  });

  it("stops a gzip bomb as soon as the limit is passed", async () => {
    const path = join(dir, "bomb.gz");
    await pipeline(repeated(Buffer.alloc(MiB, "a"), 256), createGzip(), createWriteStream(path));
    const error = await collect(readRecords(path, "scores", "ndjson", { bytesRead: 0, totalBytes: 0 }, { ...DEFAULT_READ_LIMITS, maxDecompressedBytes: 8 * MiB })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFormatError);
    expect((error as ImportFormatError).failure).toMatchObject({ reason: "too_large", detail: expect.stringContaining("IMPORT_MAX_DECOMPRESSED_MB") });
  });
});

describe("CSV records", () => {
  it("with a quote never closed are read in linear time: 200,000 lines rejoin nothing", async () => {
    const lines = function* (): Generator<NumberedLine> {
      yield { line: 1, text: "externalId,scoringValue" };
      yield { line: 2, text: 'A,"open' };
      for (let i = 3; i <= 200_000; i++) yield { line: i, text: `B${i},${i}` };
    };
    const started = performance.now();
    const records = await collect(recordsFromLines(lines(), "scores", "csv", DEFAULT_READ_LIMITS.maxRecordBytes));
    // Quadratic rejoining took 66 s for 16,000 lines; linear reading takes milliseconds. The
    // bound is generous on purpose (a busy machine), and still three orders below quadratic.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(records).toEqual([tooLongReject(2)]);
  });

  it("end where their quotes close, and a record past the limit is one reject spanning its lines", async () => {
    const limits = 32;
    const lines: NumberedLine[] = ["a,b", '"x', "y", 'z",1', `"${"long ".repeat(5)}`, `${"more ".repeat(5)}`, 'end",2', "c,d"].map((text, i) => ({ line: i + 1, text }));
    expect(await collect(csvRecordTexts(lines, limits))).toEqual([
      { line: 1, text: "a,b", lines: 1 },
      { line: 2, text: '"x\ny\nz",1', lines: 3 },
      { line: 5, text: "", tooLong: true, lines: 3 },
      { line: 8, text: "c,d", lines: 1 },
    ]);
  });

  it("go on through a line too long inside a quoted field, by the quotes it held", async () => {
    const lines = splitLines(repeated(Buffer.from(`a,b\nX,"${"x".repeat(100)}\n${"y".repeat(100)}\nend",1\nc,d\n`), 1), { ...DEFAULT_READ_LIMITS, maxRecordBytes: 50 });
    expect(await collect(csvRecordTexts(lines, 50))).toEqual([
      { line: 1, text: "a,b", lines: 1 },
      { line: 2, text: "", tooLong: true, lines: 3 },
      { line: 5, text: "c,d", lines: 1 },
    ]);
  });

  it("say so when the file ends inside a quoted field", async () => {
    const lines: NumberedLine[] = [
      { line: 1, text: "a" },
      { line: 2, text: '"b' },
    ];
    expect(await collect(csvRecordTexts(lines, 100))).toEqual([
      { line: 1, text: "a", lines: 1 },
      { line: 2, text: '"b', lines: 1, unclosed: true },
    ]);
  });
});

describe("the readers on any bytes (seeded fuzz)", () => {
  const pieces = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom('"', '""', ",", "\n", "\r\n", "\r", "\uFEFF", '{"externalId":"A"}', "externalId,scoringValue", "\u0000", "é").map((text) => Buffer.from(text)),
    fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82])),
  );
  const file = fc.record({
    body: fc.array(pieces, { maxLength: 80 }).map((parts) => Buffer.concat(parts)),
    gzip: fc.constantFrom("none", "whole", "truncated"),
    format: fc.constantFrom("ndjson" as const, "csv" as const),
    maxRecordBytes: fc.integer({ min: 1, max: 256 }),
  });

  it("yield records or fail with an ImportFormatError, never anything else, and never hold a record past the limit", async () => {
    await fc.assert(
      fc.asyncProperty(file, async ({ body, gzip, format, maxRecordBytes }) => {
        const zipped = gzipSync(body);
        const bytes = gzip === "none" ? body : gzip === "whole" ? zipped : zipped.subarray(0, Math.max(2, zipped.length - 5));
        const limits = { maxRecordBytes, maxDecompressedBytes: 64 * 1024 };
        const started = performance.now();
        try {
          await readFile(bytes, format, limits);
        } catch (error) {
          if (!(error instanceof ImportFormatError)) throw error;
        }
        // What the readers hold: no line, and no CSV record, past the limit (in characters: a byte
        // that is not UTF-8 reads as one U+FFFD, so a line never has more characters than bytes).
        for (const { text } of await collect(splitLines(repeated(bytes, 1), limits))) expect(text.length).toBeLessThanOrEqual(maxRecordBytes);
        for (const { text } of await collect(csvRecordTexts(splitLines(repeated(bytes, 1), limits), maxRecordBytes))) expect(text.length).toBeLessThanOrEqual(maxRecordBytes);
        // Each case is a few KB at most: a generous bound per case catches anything superlinear.
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: Number(process.env.FUZZ_SEED ?? 20261207) },
    );
  }, 300_000);
});
