import { describe, expect, it } from "vitest";
import { BatchTurns } from "../src/batch-turns.js";

/** Two jobs that each write `batches` batches in turns, as importRecords does: take, write, release, again. */
async function writeInTurns(turns: BatchTurns, jobs: Record<string, number>): Promise<string[]> {
  const written: string[] = [];
  await Promise.all(
    Object.entries(jobs).map(async ([org, batches]) => {
      for (let i = 0; i < batches; i++) {
        const done = await turns.take(org);
        written.push(org);
        // A batch's write is asynchronous: others ask for a turn meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        done();
      }
    }),
  );
  return written;
}

describe("BatchTurns", () => {
  it("lets organisations write in turns: a small job is not queued behind a large one", async () => {
    const written = await writeInTurns(new BatchTurns(), { large: 6, small: 2 });
    expect(written).toEqual(["large", "small", "large", "small", "large", "large", "large", "large"]);
  });

  it("serves three organisations round-robin, and one alone without waiting", async () => {
    expect(await writeInTurns(new BatchTurns(), { a: 3, b: 3, c: 3 })).toEqual(["a", "b", "c", "a", "b", "c", "a", "b", "c"]);
    expect(await writeInTurns(new BatchTurns(), { alone: 3 })).toEqual(["alone", "alone", "alone"]);
  });

  it("grants one turn at a time", async () => {
    const turns = new BatchTurns();
    const first = await turns.take("a");
    let second = false;
    const waiting = turns.take("b").then((done) => {
      second = true;
      return done;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    first();
    (await waiting)();
    expect(second).toBe(true);
  });
});
