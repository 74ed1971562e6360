import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { ImportFormatError } from "./import-format-error.js";

export type NumberedLine = { line: number; text: string };

/** How far into the (possibly compressed) file the reader is: for progress and ETA. */
export type ReadPosition = { bytesRead: number; totalBytes: number };

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

/**
 * The lines of a UTF-8 file, numbered from 1, streamed (memory stays flat whatever the size).
 * Gzip is recognised by its magic bytes, whatever the file is called.
 */
export async function* readLines(path: string, position: ReadPosition): AsyncGenerator<NumberedLine> {
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
  const lines = createInterface({ input: source.setEncoding("utf8"), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { line, text };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") throw new ImportFormatError(`the file is not valid gzip (after line ${line})`);
    throw error;
  } finally {
    lines.close();
    raw.destroy();
  }
}
