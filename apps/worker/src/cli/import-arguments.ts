import { parseArgs } from "node:util";
import { importDatasets, type ImportDataset } from "@insights/contracts/records";
import type { ImportFormat } from "@insights/imports";

export const USAGE = `usage:
  npm run import -- <file> --dataset <name> [--org <org>] [--format ndjson|csv] [--dry-run] [--json] [--batch-size N] [--chunk-rows N]
  npm run import -- --sample <dataset> --rows N [--bad M] [--seed S] [--org telco] [--format ndjson|csv]
  npm run import -- --rejects <job>
through a running BFF's admin API (a token with scopes imports:write and imports:read; the organisation is the token's):
  npm run import -- <file> --dataset <name> [--format ndjson|csv] [--json] --api <url> --token <token>
  npm run import -- --rejects <job> --api <url> --token <token>
datasets: ${importDatasets.join(", ")}`;

export class UsageError extends Error {
  override name = "UsageError";
}

/** A running BFF to go through (`--api <url> --token <token>`) instead of the store. */
export type RemoteApi = { url: string; token: string };

export type ImportCommand =
  | { kind: "import"; file: string; dataset: ImportDataset; org: string | undefined; format: ImportFormat; dryRun: boolean; json: boolean; batchSize: number | undefined; chunkRows: number | undefined; api: undefined }
  | { kind: "import"; file: string; dataset: ImportDataset; org: undefined; format: ImportFormat; dryRun: false; json: boolean; batchSize: undefined; chunkRows: undefined; api: RemoteApi }
  | { kind: "sample"; dataset: ImportDataset; rows: number; bad: number; seed: number; org: string; format: ImportFormat }
  | { kind: "rejects"; job: string; api: RemoteApi | undefined }
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

/** `--api <url> --token <token>`: both or neither, an http(s) URL. */
function remoteApi(url: string | undefined, token: string | undefined): RemoteApi | undefined {
  if (url === undefined && token === undefined) return undefined;
  if (url === undefined) throw new UsageError("--token goes with --api <url>: the BFF to import through");
  if (token === undefined || token === "") throw new UsageError("--api needs --token <token>, a bearer token with scopes imports:write and imports:read");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--api ${JSON.stringify(url)} is not a URL; e.g. --api http://localhost:3000`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--api is an http:// or https:// URL, not ${JSON.stringify(url)}`);
  return { url: parsed.origin + parsed.pathname.replace(/\/+$/, ""), token };
}

/** Options that act on the store directly, which the admin API does not take. */
function refuseLocalOptions(values: { org?: string | undefined; "dry-run": boolean; "batch-size"?: string | undefined; "chunk-rows"?: string | undefined }): void {
  if (values.org !== undefined) throw new UsageError("--org does not go with --api: the organisation is the token's");
  if (values["dry-run"]) throw new UsageError("--dry-run does not go with --api: the admin API always imports; dry-run against a local store");
  if (values["batch-size"] !== undefined) throw new UsageError("--batch-size does not go with --api: the BFF sizes its batches");
  if (values["chunk-rows"] !== undefined) throw new UsageError("--chunk-rows does not go with --api: the BFF chunks the file");
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
        api: { type: "string" },
        token: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  const api = remoteApi(values.api, values.token);
  if (values.rejects !== undefined) {
    if (positionals.length > 0) throw new UsageError("--rejects takes a job id and no file");
    return { kind: "rejects", job: values.rejects, api };
  }
  if (values.sample !== undefined) {
    if (api) throw new UsageError("--sample writes to stdout and does not go with --api");
    if (positionals.length > 0) throw new UsageError("--sample writes to stdout and takes no file");
    const rows = count(values.rows, "--rows");
    const bad = count(values.bad, "--bad", 0);
    if (bad > rows) throw new UsageError("--bad cannot exceed --rows");
    return { kind: "sample", dataset: dataset(values.sample, "--sample"), rows, bad, seed: count(values.seed, "--seed", 1), org: values.org ?? "telco", format: format(values.format) };
  }
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError("name exactly one file to import");
  if (api) {
    refuseLocalOptions(values);
    const file = positionals[0];
    return { kind: "import", file, dataset: dataset(values.dataset, "--dataset"), org: undefined, format: format(values.format, file), dryRun: false, json: values.json, batchSize: undefined, chunkRows: undefined, api };
  }
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
    api: undefined,
  };
}
