import PgBoss from "pg-boss";
import type { Logger } from "pino";

/** The queue chunked imports run on: pg-boss on the same PostgreSQL as the store. */
export const IMPORT_CHUNK_QUEUE = "import-chunks";

export type ChunkMessage = { jobId: string; seq: number };

export type ImportQueue = {
  /**
   * Queues a job's chunks. A chunk's priority is minus its fair-queuing tag (the job's fairBase
   * plus its place in the job, store/import-chunks.ts): pg-boss fetches by priority, then age,
   * so a worker serves the organisations waiting round-robin, and a new organisation's first
   * chunk goes next.
   */
  enqueue(job: { id: string; fairBase: number }, seqs: number[]): Promise<void>;
  /**
   * Takes chunks, up to `chunksAtOnce` of them running side by side (each fetched on its own, by
   * the same fair priority); `lastAttempt` tells the handler a failure now is final.
   */
  work(handler: (message: ChunkMessage, attempt: { lastAttempt: boolean }) => Promise<void>, options: { chunksAtOnce: number }): Promise<void>;
  stop(): Promise<void>;
};

export type ImportQueueOptions = {
  connectionString: string;
  schema: string;
  /** How long a taken chunk may run before it counts as abandoned (its worker died) and is handed on. */
  chunkExpireSeconds: number;
  logger: Logger;
};

/**
 * Opens the queue (pg-boss creates its schema on first start). A chunk is retried on failure;
 * one whose worker died is handed to another after `chunkExpireSeconds`.
 */
export async function openImportQueue(options: ImportQueueOptions): Promise<ImportQueue> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema,
    max: 3,
    application_name: "insights-import-queue",
    // Abandoned chunks are found by pg-boss's maintenance: look often enough for the expiry to mean something.
    maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.ceil(options.chunkExpireSeconds / 2))),
  });
  boss.on("error", (error) => options.logger.warn({ err: error }, "import queue error"));
  await boss.start();
  await boss.createQueue(IMPORT_CHUNK_QUEUE, { name: IMPORT_CHUNK_QUEUE, retryLimit: 5, retryDelay: 1, retryBackoff: true });
  return {
    enqueue: async ({ id: jobId, fairBase }, seqs) => {
      if (seqs.length === 0) return;
      await boss.insert(
        seqs.map((seq) => ({
          name: IMPORT_CHUNK_QUEUE,
          data: { jobId, seq } satisfies ChunkMessage,
          priority: -(fairBase + seq),
          expireInSeconds: options.chunkExpireSeconds,
          retryLimit: 5,
          retryDelay: 1,
          retryBackoff: true,
        })),
      );
    },
    work: async (handler, { chunksAtOnce }) => {
      // pg-boss 10 has no concurrency option: each `work` is a fetch loop of its own.
      for (let i = 0; i < chunksAtOnce; i++) {
        await boss.work<ChunkMessage>(IMPORT_CHUNK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async (jobs) => {
          for (const job of jobs) await handler(job.data, { lastAttempt: job.retryCount >= job.retryLimit });
        });
      }
    },
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 30_000 }),
  };
}
