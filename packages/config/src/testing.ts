import type { ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DestinationStream, Logger } from "pino";
import { createLogger } from "./logger.js";

/**
 * The test run's log (exported as `@insights/config/testing`, for tests only). Every logger a
 * test creates and every process a test starts also write to `<package>/.vitest/run.log`, and
 * every credential a test mints is listed in `.vitest/secrets.ndjson`; both are emptied when the
 * package's run starts (vitest.run-log.ts). After the package's other tests, the PII canary
 * (vitest.pii-canary.ts) asserts with `findLeaks` that the log names none of them.
 */

const DIR = ".vitest";
export const RUN_LOG = join(DIR, "run.log");
export const TEST_SECRETS = join(DIR, "secrets.ndjson");

export type SecretKind = "phone number" | "identity document" | "card number" | "token" | "API key" | "vendor credential";
/** A value the tests use that no log may hold, and where it comes from (for the failure message). */
export type TestSecret = { kind: SecretKind; value: string; source: string };

/** Empties the run's log and its list of secrets (the package's vitest globalSetup). */
export function startRunLog(): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(RUN_LOG, "");
  writeFileSync(TEST_SECRETS, "");
}

let ready = false;
function append(file: string, text: string): void {
  if (!ready) mkdirSync(DIR, { recursive: true });
  ready = true;
  appendFileSync(file, text);
}

/** Appends lines to the run's log, each behind the name of what wrote it and a tab. */
export function appendToRunLog(source: string, text: string): void {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length > 0) append(RUN_LOG, lines.map((line) => `${source}\t${line}\n`).join(""));
}

/** A pino destination for a test's logger: each line goes to the run's log, and to `also` if given. */
export function runLogDestination(source: string, also?: (line: string) => void): DestinationStream {
  return {
    write(line: string) {
      also?.(line);
      appendToRunLog(source, line);
    },
  };
}

/** The redacting logger at debug level, writing to the run's log only: for code a test runs that needs a logger. */
export function createTestLogger(service: string, source: string): Logger {
  return createLogger(service, "debug", runLogDestination(source));
}

/** Whether a line a process printed is one of its log records (pino JSON) rather than its output. */
function isLogRecord(line: string): boolean {
  if (!line.startsWith("{")) return false;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    return typeof record.level === "number" && typeof record.time === "number";
  } catch {
    return false;
  }
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = "";
  stream?.on("data", (chunk: Buffer | string) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  stream?.on("end", () => {
    if (rest) onLine(rest);
  });
}

/**
 * Copies what a process a test started logs into the run's log: the log records (pino JSON) it
 * prints on stdout or stderr and, for a service (`kind: "service"`, the BFF or the worker, whose
 * output streams a deployment collects), every other line of its stderr too. The rest is the
 * command's output to the person running it — the token `npm run token` prints, the key
 * `npm run admin -- api-key create` prints once, a sample file, a usage text — not a log.
 */
export function teeToRunLog(child: ChildProcess, source: string, kind: "service" | "command"): void {
  forEachLine(child.stdout, (line) => {
    if (isLogRecord(line)) appendToRunLog(`${source} stdout`, line);
  });
  forEachLine(child.stderr, (line) => {
    if (kind === "service" || isLogRecord(line)) appendToRunLog(`${source} stderr`, line);
  });
}

/** Lists a credential a test minted (a token, an API key), for the canary to look for. */
export function recordTestSecret(kind: SecretKind, value: string, source: string): void {
  append(TEST_SECRETS, `${JSON.stringify({ kind, value, source } satisfies TestSecret)}\n`);
}

function readIfPresent(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** The run's log so far and the secrets the tests recorded. */
export function readRunLog(): { log: string; recorded: TestSecret[] } {
  const recorded = readIfPresent(TEST_SECRETS)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TestSecret);
  return { log: readIfPresent(RUN_LOG), recorded };
}

/** What a secret looks like wherever it is: digits may be grouped with spaces or hyphens. */
function secretPattern(value: string): RegExp {
  const escaped = [...value].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(/^\+?[\dA-Z]+$/.test(value) ? escaped.join("[ -]?") : escaped.join(""), "g");
}

/**
 * What personal data and credentials look like in text, whatever their value: the sweep finds
 * those no list names.
 */
const SHAPES: [string, RegExp][] = [
  ["an E.164 phone number", /(?<![\w+])\+[1-9]\d{6,14}(?!\d)/g],
  ["an identity document (8 digits and a letter)", /(?<![\w.-])\d{8}[A-Z](?![\w-])/g],
  ["a card number (13 to 19 digits)", /(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])/g],
  ["a JWT", /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g],
];
/** Numbers pino writes itself (`time`, in epoch milliseconds), blanked before the sweep. */
const OWN_NUMBERS = /"time":\d+/g;

/** Shows enough of a secret to find it in the test code, not the whole of it. */
function hint(value: string): string {
  return value.length <= 8 ? `${value.slice(0, 2)}…` : `${value.slice(0, 4)}…${value.slice(-2)} (${value.length} characters)`;
}

/**
 * Every place in the run's log that holds a listed secret or something shaped like one, as
 * "run.log line N (who wrote it): what was found". Empty when the log is clean.
 */
export function findLeaks(log: string, secrets: TestSecret[]): string[] {
  const lineStarts = [0];
  for (let i = log.indexOf("\n"); i !== -1; i = log.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const where = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    const start = lineStarts[low]!;
    const tab = log.indexOf("\t", start);
    const end = log.indexOf("\n", start);
    const writer = tab !== -1 && (end === -1 || tab < end) ? log.slice(start, tab) : "unknown writer";
    return `run.log line ${low + 1} (${writer})`;
  };
  const leaks: string[] = [];
  for (const secret of secrets) {
    if (secret.value.length < 6) continue;
    for (const match of log.matchAll(secretPattern(secret.value))) leaks.push(`${where(match.index)}: the ${secret.kind} ${hint(secret.value)} of ${secret.source}`);
  }
  const swept = log.replace(OWN_NUMBERS, (found) => " ".repeat(found.length));
  for (const [shape, pattern] of SHAPES) {
    for (const match of swept.matchAll(pattern)) leaks.push(`${where(match.index)}: ${shape}, ${hint(match[0])}`);
  }
  return leaks;
}
