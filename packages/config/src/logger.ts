import { pino, type DestinationStream, type Logger } from "pino";

/**
 * Header and field paths that carry personal data or credentials. Their values are replaced,
 * wherever pino finds them, before a line is written.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers.key",
  "req.headers.secretkey",
  "req.headers.client_id",
  "req.headers.sid",
  'res.headers["set-cookie"]',
  "res.headers.sid",
  // Personal-data fields, at the top of a log object and up to two levels down.
  ...["phoneNumber", "phone_number", "idDocument", "cardNumber", "token", "key", "secretKey"].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/**
 * What personal data looks like when it slips into text: a run of 7 or more digits (spaces or
 * hyphens allowed between them), with a leading "+" (E.164) or a trailing control letter (an
 * identity document such as 87654321X) — phone numbers, card numbers, identity documents.
 */
const PERSONAL_PATTERN = /\+?\d(?:[ -]?\d){6,}[A-Za-z]?/g;

function maskText(value: string): string {
  return value.replace(PERSONAL_PATTERN, "[REDACTED]");
}

function maskMessage(value: unknown): unknown {
  return typeof value === "string" ? maskText(value) : value;
}

/** Our own identifiers and bookkeeping: never personal data, and masking them would only blind the logs. */
const OWN_FIELDS = new Set(["level", "time", "pid", "hostname", "service", "requestId", "reqId", "id", "transid", "jobId", "job", "responseTime"]);

/** Masks personal data in every string of a log object (not only in fields named as personal), a few levels deep. */
function maskFields(value: unknown, depth: number): unknown {
  if (typeof value === "string") return maskText(value);
  if (depth === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => maskFields(item, depth - 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = OWN_FIELDS.has(key) ? field : maskFields(field, depth - 1);
  return out;
}

/** Only what identifies an error, never driver fields such as pg's `detail` (which can hold row values). */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: maskMessage(String(error)) };
  const out: Record<string, unknown> = { type: error.name, message: maskMessage(error.message), stack: maskMessage(error.stack) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  return out;
}

export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
      serializers: { err: serializeError },
      formatters: { log: (object) => maskFields(object, 4) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(maskMessage) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
