import { importRecordSchemas, sensitiveRecordFields, type ImportDataset } from "@insights/contracts/records";
import type { ImportReject } from "@insights/store";
import { WHOLE_RECORD } from "./record-reader.js";
import { unknownFieldsMessage } from "./unknown-fields.js";

export type Validated = { ok: true; row: Record<string, unknown> & { line: number } } | { ok: false; rejects: ImportReject[] };

/**
 * Validates a record with its dataset's contract schema: the row (with its line), or one reject
 * per field at fault. A message never carries input: not a card number or identity document
 * (if one of those fields' messages ever held the value, it is replaced), and not an unknown
 * key unless it looks like a field name.
 */
export function validateRecord(dataset: ImportDataset, line: number, fields: Record<string, unknown>): Validated {
  const parsed = importRecordSchemas[dataset].safeParse(fields);
  if (parsed.success) return { ok: true, row: { ...(parsed.data as Record<string, unknown>), line } };
  const byField = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.length === 0 ? WHOLE_RECORD : String(issue.path[0]);
    if (byField.has(field)) continue;
    if (issue.code === "unrecognized_keys") {
      byField.set(field, unknownFieldsMessage(issue.keys));
      continue;
    }
    const value = fields[field];
    const leaks = sensitiveRecordFields.has(field) && typeof value === "string" && value.length > 0 && issue.message.includes(value);
    byField.set(field, leaks ? "is not valid" : issue.message);
  }
  return { ok: false, rejects: [...byField].map(([field, message]) => ({ line, field, message })) };
}
