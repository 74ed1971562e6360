import { escapeControlCharacters, type ImportOutcome } from "@insights/imports";

/** What the import CLI writes: the result on stdout, progress and problems on stderr. */

export const out = (text: string) => process.stdout.write(text);
export const err = (text: string) => process.stderr.write(text);

/** Writes to stdout, waiting for it to drain (a long listing piped to a slow reader). */
export async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
}

/** One page of rejected rows, a line each: `<line>\t<field>\t<message>` (control characters escaped). */
export function rejectLines(rejects: readonly { line: number; field: string; message: string }[]): string {
  return rejects.map((r) => `${r.line}\t${escapeControlCharacters(r.field)}\t${escapeControlCharacters(r.message)}\n`).join("");
}

/**
 * The end of an import: its state and counts, how to list its rejected rows, and with `--json` a
 * last line `{"job":…,"state":…,"failure":{"reason":…,"detail":…}|null,"rows":{…},"seconds":S}`. The same whether the CLI ran the import
 * or followed the BFF's; `rejectsCommand` is how to list this job's rejects from here.
 */
export function printSummary(jobId: string, outcome: Pick<ImportOutcome, "state" | "failure" | "rows" | "seconds">, options: { dryRun: boolean; json: boolean; rejectsCommand: string }): void {
  const { rows } = outcome;
  const seconds = Math.round(outcome.seconds * 1000) / 1000;
  const verb = options.dryRun ? "would import" : "imported";
  out(
    `${options.dryRun ? "dry run " : ""}job ${jobId} ${outcome.state}${outcome.failure ? ` (${outcome.failure.reason}): ${escapeControlCharacters(outcome.failure.detail)}` : ""}\n` +
      `  read ${rows.read}, ${verb} ${rows.imported}, unchanged ${rows.unchanged}, rejected ${rows.rejected} in ${seconds} s\n`,
  );
  if (rows.rejected > 0 && !options.dryRun) out(`  rejected rows: ${options.rejectsCommand}\n`);
  if (options.json) out(`${JSON.stringify({ job: jobId, state: outcome.state, failure: outcome.failure, rows, seconds })}\n`);
}
