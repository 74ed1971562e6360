import v8 from "node:v8";
import { Worker } from "node:worker_threads";

/**
 * The embedded store's import runs PostgreSQL (PGlite, WebAssembly) in the CLI's own process, so
 * its peak resident memory is PGlite's memory, V8's heap and what compiling PGlite's code left in
 * the allocator (issue 25: ≤ 250 MB at 1,000,000 rows). Measured on 200,000 and 1,000,000 rows
 * (docs/performance.md#peak-rss-of-the-embedded-import-at-1000000-rows-2026-12-08), the process
 * peaked at 405-424 MB: ≈ 90 MB of PGlite's memory (64 MB of shared buffers, resident once
 * touched), ≈ 47 MB of Node's own code, V8's heap swinging between 30 and 135 MB (20-45 MB live,
 * the rest garbage between collections), and 50-80 MB left in malloc's per-thread arenas by V8
 * optimising PGlite's hot functions (TurboFan) on its background threads.
 *
 * So a command that opens the embedded store runs in a worker thread of this process (the same
 * process: what an operator or the bench measures is what it holds), whose V8 heap is bounded
 * here — a process cannot bound its own heap once started, a worker thread's is set when it
 * starts — and PGlite's WebAssembly runs on Liftoff, V8's baseline compiler, only.
 */
export const IMPORT_THREAD_HEAP = {
  /**
   * The old generation: the import's live heap stays at 20-45 MB whatever the file's length (a
   * batch of records, prepared statements, PGlite's JavaScript); unbounded, V8 let it reach 135 MB
   * before collecting.
   */
  maxOldGenerationSizeMb: 64,
  /**
   * The young generation (3 × a semi-space of 4 MB): by default up to 48 MB of short-lived
   * garbage (each record's parse and validation) between scavenges. 3 MB (semi-spaces of 1 MB)
   * held ≈ 7 MB less but cost ≈ 15% more CPU in scavenges and premature promotion.
   */
  maxYoungGenerationSizeMb: 12,
} as const;

/**
 * V8 flags for the process, set before PGlite compiles its module. `--liftoff-only`: no TurboFan
 * tier-up of PGlite's hot functions, whose compilation left 50-80 MB more in malloc's arenas for
 * the life of the process than Liftoff alone (100,000 rows, bounded heap: 120-125 MB of arenas
 * with TurboFan, 32-49 MB without), at the price of PostgreSQL's CPU time in the import: ≈ 10-15%
 * more CPU for the whole import (docs/performance.md, the section named above).
 */
export const IMPORT_THREAD_V8_FLAGS = ["--liftoff-only"] as const;

/** What the thread is given (import-thread-entry.ts). */
export type ImportThreadData = { argv: string[]; stderrIsTTY: boolean };

/** What the bounded thread runs under, as a debug log line shows it (and a test reads it). */
export function importThreadBounds(): Record<string, unknown> {
  return {
    heapSizeLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),
    ...IMPORT_THREAD_HEAP,
    v8Flags: IMPORT_THREAD_V8_FLAGS.join(" "),
  };
}

/** Runs the command line in the bounded import thread; resolves to its exit code. */
export function runInImportThread(argv: string[]): Promise<number> {
  for (const flag of IMPORT_THREAD_V8_FLAGS) v8.setFlagsFromString(flag);
  const data: ImportThreadData = { argv, stderrIsTTY: process.stderr.isTTY === true };
  const thread = new Worker(new URL("./import-thread-entry.js", import.meta.url), { workerData: data, resourceLimits: IMPORT_THREAD_HEAP });
  return new Promise((resolve) => {
    let failed = false;
    thread.on("error", (error: Error & { code?: string }) => {
      failed = true;
      process.stderr.write(
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `import failed: the import ran out of its ${IMPORT_THREAD_HEAP.maxOldGenerationSizeMb} MB heap (apps/worker/src/cli/import-thread.ts); run it again to resume, with a smaller --batch-size\n`
          : `import failed: ${error.message}\n`,
      );
    });
    thread.on("exit", (code) => resolve(failed ? 1 : code));
  });
}
