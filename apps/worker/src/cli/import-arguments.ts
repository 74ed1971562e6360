import { parseArgs } from "node:util";
import { importDatasets, type ImportDataset } from "@insights/contracts/records";
import type { ImportFormat } from "@insights/imports";

export const USAGE = `usage:
  npm run import -- <file> --dataset <name> [--org <org>] [--format ndjson|csv] [--dry-run] [--json] [--batch-size N] [--chunk-rows N]
  npm run import -- --sample <dataset> --rows N [--bad M] [--seed S] [--org telco] [--format ndjson|csv]
  npm run import -- --rejects <job>
datasets: ${importDatasets.join(", ")}`;

export class UsageError extends Error {
  override name = "UsageError";
}

export type ImportCommand =
  | { kind: "import"; file: string; dataset: ImportDataset; org: string | undefined; format: ImportFormat; dryRun: boolean; json: boolean; batchSize: number | undefined; chunkRows: number | undefined }
  | { kind: "sample"; dataset: ImportDataset; rows: number; bad: number; seed: number; org: string; format: ImportFormat }
  | { kind: "rejects"; job: string }
  | { kind: "help" };

function dataset(value: string | undefined, option: string): ImportDataset {
  if (value === undefined) throw new UsageError(`${option} is required (one of ${importDatasets.join(", ")})`);
  if (!(importDatasets as string[]).includes(value)) throw new UsageError(`unknown dataset ${JSON.stringify(value)}; one of ${importDatasets.join(", ")}`);
  return value as ImportDataset;
}

function count(value: string | undefined, option: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${option} is required`);
    return fallback;
  }
  if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${option} must be a whole number`);
  return Number(value);
}

function format(value: string | undefined, file?: string): ImportFormat {
  if (value === "ndjson" || value === "csv") return value;
  if (value !== undefined) throw new UsageError(`--format is ndjson or csv, not ${JSON.stringify(value)}`);
  if (file === undefined) return "ndjson";
  const name = file.toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  throw new UsageError("cannot tell the format from the file name: add --format ndjson or --format csv");
}

/** Parses the import command line; throws UsageError (exit 2) with what to fix. */
export function parseImportArguments(argv: string[]): ImportCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dataset: { type: "string" },
        org: { type: "string" },
        format: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "batch-size": { type: "string" },
        "chunk-rows": { type: "string" },
        sample: { type: "string" },
        rows: { type: "string" },
        bad: { type: "string" },
        seed: { type: "string" },
        rejects: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.rejects !== undefined) {
    if (positionals.length > 0) throw new UsageError("--rejects takes a job id and no file");
    return { kind: "rejects", job: values.rejects };
  }
  if (values.sample !== undefined) {
    if (positionals.length > 0) throw new UsageError("--sample writes to stdout and takes no file");
    const rows = count(values.rows, "--rows");
    const bad = count(values.bad, "--bad", 0);
    if (bad > rows) throw new UsageError("--bad cannot exceed --rows");
    return { kind: "sample", dataset: dataset(values.sample, "--sample"), rows, bad, seed: count(values.seed, "--seed", 1), org: values.org ?? "telco", format: format(values.format) };
  }
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError("name exactly one file to import");
  const batchSize = values["batch-size"] === undefined ? undefined : count(values["batch-size"], "--batch-size");
  if (batchSize !== undefined && (batchSize < 1 || batchSize > 2000)) throw new UsageError("--batch-size is between 1 and 2000");
  const chunkRows = values["chunk-rows"] === undefined ? undefined : count(values["chunk-rows"], "--chunk-rows");
  if (chunkRows !== undefined && chunkRows < 1) throw new UsageError("--chunk-rows is at least 1");
  return {
    kind: "import",
    file: positionals[0],
    dataset: dataset(values.dataset, "--dataset"),
    org: values.org,
    format: format(values.format, positionals[0]),
    dryRun: values["dry-run"],
    json: values.json,
    batchSize,
    chunkRows,
  };
}
