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

/** E.164 numbers and long digit runs (cards, documents) that slip into a message are masked too. */
const PERSONAL_PATTERN = /\+?\d[\d -]{7,}\d/g;

function maskMessage(value: unknown): unknown {
  return typeof value === "string" ? value.replace(PERSONAL_PATTERN, "[REDACTED]") : value;
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
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(maskMessage) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
