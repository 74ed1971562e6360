import type { ImportProgress } from "@insights/imports";

/**
 * Import progress on stderr: a redrawn bar on a terminal (rows done, rows/s, rejected, ETA),
 * otherwise a plain line every few seconds. A position whose total is unknown (0: a file being
 * read elsewhere, by the BFF) shows the counts without a bar. `tty`: whether the stream ends at a
 * terminal (a worker thread's stderr is piped through its process's, which may be one).
 */
export function progressReporter(stream: NodeJS.WriteStream, jobId: string, tty = stream.isTTY === true): { update(progress: ImportProgress): void; done(): void } {
  const intervalMs = tty ? 100 : 3000;
  let last = 0;
  let drawn = false;
  return {
    update({ rows, position, startedAt }) {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      const seconds = Math.max((now - startedAt) / 1000, 0.001);
      const rate = Math.round(rows.read / seconds);
      const known = position.totalBytes > 0;
      const fraction = known ? Math.min(position.bytesRead / position.totalBytes, 1) : 0;
      const eta = fraction > 0 ? Math.round((seconds * (1 - fraction)) / fraction) : undefined;
      const counts = `${rows.read.toLocaleString("en")} rows, ${rate.toLocaleString("en")} rows/s, ${rows.rejected.toLocaleString("en")} rejected`;
      if (tty) {
        const width = 24;
        const filled = Math.round(fraction * width);
        const bar = known ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(fraction * 100)}% ${counts}, ETA ${eta ?? "?"}s` : `import ${jobId}: ${counts}`;
        stream.write(`\r${bar} \u001b[K`);
        drawn = true;
      } else {
        stream.write(`import ${jobId}: ${counts}${known ? `, ${Math.round(fraction * 100)}% of the file` : ""}\n`);
      }
    },
    done() {
      if (drawn) stream.write("\n");
    },
  };
}
