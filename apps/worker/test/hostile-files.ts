import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import type { Finished } from "./processes.js";

/**
 * The files of the imports security review (issue "Imports that no tenant can turn against the
 * others"), each with the outcome the docs promise. Every path an import takes runs them: the
 * admin API of a real BFF on the embedded store and on PostgreSQL, and `npm run import` on both
 * stores (import-api-cli, import-api-postgres, import-cli tests) — all of them, but for the files
 * marked `oncePerStore`, which only the admin API's path of each store runs.
 */
export type HostileFile = {
  name: string;
  dataset: "customers" | "scores";
  /** Writes the file into `dir`; returns its path. */
  write(dir: string): Promise<string>;
  /** What the import's `--json` line says. */
  summary: Record<string, unknown>;
  /** The rejects listing (`--rejects`), when the job keeps it whole. */
  rejects?: string;
  /**
   * What this file tests is bounded by code every path to a store shares, so it runs once per
   * store (through the admin API, whose BFF must stay up) rather than once per path: the line
   * reader of @insights/imports, which reads the staged file for `runImport` on the embedded
   * store (the BFF's job and `npm run import` alike stage it with `stageImport`) and cuts it
   * into chunks in `stageChunkedImport` on PostgreSQL (called by the BFF and by `npm run
   * import` alike). The other files still go through every path.
   */
  oncePerStore?: true;
};

const MiB = 1024 * 1024;
let written = 0;
const ndjson = (...records: Record<string, unknown>[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

export const hostileFiles: HostileFile[] = [
  {
    name: "600 MiB of one line in a 600 KB gzip (once: an uncaught RangeError, the process down at every start)",
    dataset: "customers",
    async write(dir) {
      const file = join(dir, "one-long-line.ndjson.gz");
      const a = Buffer.alloc(MiB, "a");
      await pipeline(
        (function* () {
          for (let i = 0; i < 600; i++) yield a;
        })(),
        createGzip({ level: 1 }),
        createWriteStream(file),
      );
      return file;
    },
    summary: { state: "succeeded", rows: { read: 1, imported: 0, rejected: 1 } },
    rejects: "1\t(record)\tline too long: over 1048576 bytes (IMPORT_MAX_RECORD_BYTES)\n",
    oncePerStore: true,
  },
  {
    name: "a CSV quote never closed, over 50,000 lines (once: quadratic, seconds of a frozen process)",
    dataset: "scores",
    async write(dir) {
      const file = join(dir, "unclosed.csv");
      const rows = Array.from({ length: 50_000 }, (_, i) => `S-${i},gaugeMetric,${300 + (i % 500)}`);
      await writeFile(file, `externalId,scoringType,scoringValue\n"S-open,gaugeMetric,400\n${rows.join("\n")}\n`);
      return file;
    },
    summary: { state: "succeeded", rows: { read: 1, rejected: 1 } },
    rejects: "2\t(record)\tline too long: over 1048576 bytes (IMPORT_MAX_RECORD_BYTES)\n",
  },
  {
    name: "a NUL in a name (once: a job stuck running, the resume loop stopped)",
    dataset: "customers",
    async write(dir) {
      const file = join(dir, "nul.ndjson");
      // New customers each time (a path run after another imports its own).
      const id = `NUL-${++written}`;
      await writeFile(file, ndjson({ externalId: `${id}-A`, fullName: "evil\u0000name" }, { externalId: `${id}-B`, fullName: "fine name" }));
      return file;
    },
    summary: { state: "succeeded", rows: { read: 2, imported: 1, rejected: 1 } },
    rejects: "1\tfullName\tmust not contain control characters (U+0000 to U+001F) other than tab\n",
  },
  {
    name: "a few hundred bytes of gzip making 100,000 bad rows (once: 100,000 stored rejects)",
    dataset: "customers",
    async write(dir) {
      const file = join(dir, "rejects.ndjson.gz");
      await writeFile(file, gzipSync(ndjson({ externalId: "", fullName: "" }).repeat(100_000)));
      return file;
    },
    summary: { state: "failed", failure: { reason: "too_many_rejects", detail: "more than 10000 rows rejected (IMPORT_MAX_REJECTS): correct the file and import it again" } },
  },
  {
    name: "a key made of terminal escapes (once: echoed raw by --rejects)",
    dataset: "customers",
    async write(dir) {
      const file = join(dir, "escapes.ndjson");
      await writeFile(file, ndjson({ externalId: "ESC-1", fullName: "Ana", "\u001b]0;owned\u0007\u001b[2J\tx\n": 1 }));
      return file;
    },
    summary: { state: "succeeded", rows: { rejected: 1 } },
    rejects: "1\t(record)\tunknown field\n",
  },
];

/** One way an import runs (a CLI, an API, a store), as the hostile-file tests drive it. */
export type ImportPath = {
  /** Imports the file with `--json`. */
  importFile(file: string, dataset: HostileFile["dataset"]): Promise<Finished>;
  /** The job's rejects listing (`--rejects`). */
  rejectsOf(job: string): Promise<string>;
  /** After each file: the processes still serve, nothing stays staged, another organisation's import succeeds. */
  stillServing(): Promise<void>;
};

/**
 * One test per hostile file through `path`, each ending as documented; `dir()` is where the
 * files are written. `storeWide`: this path is its store's admin API, which also runs the
 * files marked `oncePerStore`.
 */
export function eachHostileFileEndsAsDocumented(path: ImportPath, dir: () => string, { storeWide }: { storeWide: boolean }): void {
  for (const hostile of hostileFiles) {
    if (hostile.oncePerStore && !storeWide) continue;
    it(`${hostile.name}: ${JSON.stringify(hostile.summary)}`, async () => {
      const result = await path.importFile(await hostile.write(dir()), hostile.dataset);
      expect(result.code, result.stderr).toBe(hostile.summary.state === "succeeded" ? 0 : 1);
      const summary = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as { job: string };
      expect(summary).toMatchObject(hostile.summary);
      if (hostile.rejects !== undefined) expect(await path.rejectsOf(summary.job)).toBe(hostile.rejects);
      await path.stillServing();
    }, 300_000);
  }
}
