import { pino, type Bindings, type DestinationStream, type Logger } from "pino";

/**
 * Fields whose value is personal data or a credential, whatever their value looks like: headers
 * (authorization, cookies, the vendors' key headers) and personal-data fields. Their values are
 * replaced wherever they appear in a log object, at any depth the masking walks. (A key-name
 * check in that walk costs a set look-up; pino's path redaction with wildcards cost 22 µs a line.)
 */
export const CENSORED_FIELDS: ReadonlySet<string> = new Set([
  "authorization",
  "cookie",
  "set-cookie",
  "key",
  "secretkey",
  "secretKey",
  "client_id",
  "sid",
  "phoneNumber",
  "phone_number",
  "idDocument",
  "cardNumber",
  "token",
]);

const CENSOR = "[REDACTED]";

/**
 * What personal data looks like when it slips into text: a run of 7 or more digits (spaces or
 * hyphens allowed between them), with a leading "+" (E.164) or a trailing control letter (an
 * identity document such as 87654321X) — phone numbers, card numbers, identity documents.
 */
const PERSONAL_PATTERN = /\+?\d(?:[ -]?\d){6,}[A-Za-z]?/g;

function maskText(value: string): string {
  return value.replace(PERSONAL_PATTERN, CENSOR);
}

function maskMessage(value: unknown): unknown {
  return typeof value === "string" ? maskText(value) : value;
}

/** Our own identifiers and bookkeeping: never personal data, and masking them would only blind the logs. */
const OWN_FIELDS = new Set(["level", "time", "pid", "hostname", "service", "requestId", "reqId", "id", "transid", "jobId", "job", "responseTime"]);

/**
 * Censors the fields named in CENSORED_FIELDS and masks personal data in every other string of a
 * log object (not only in fields named as personal), a few levels deep.
 */
function maskFields(value: unknown, depth: number): unknown {
  if (typeof value === "string") return maskText(value);
  if (depth === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => maskFields(item, depth - 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = CENSORED_FIELDS.has(key) ? CENSOR : OWN_FIELDS.has(key) ? field : maskFields(field, depth - 1);
  }
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
  const logger = pino(
    {
      level,
      base: { service },
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
  // A child's bindings skip the log formatter, so they are masked here; children inherit this method.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, maskFields(bindings, 4) as Bindings, options);
  } as Logger["child"];
  return logger;
}
