import { importRecordSchemas, sensitiveRecordFields, type ImportDataset, type ImportRecord } from "@insights/contracts/records";
import type { ImportReject, ImportRow } from "@insights/store";
import { compileRecordSchema, type CompiledSchema } from "./compiled-schema.js";
import { WHOLE_RECORD } from "./record-reader.js";
import { unknownFieldsMessage } from "./unknown-fields.js";

/** A valid record is its dataset's contract record (the store's row of that dataset), with its line. */
export type Validated<D extends ImportDataset = ImportDataset> = { ok: true; row: ImportRow<D> } | { ok: false; rejects: ImportReject[] };

/** Each dataset's schema compiled once (compiled-schema.ts): what it accepts is what Zod accepts, as Zod gives it. */
const compiled = new Map<ImportDataset, CompiledSchema>();
function compiledSchemaOf(dataset: ImportDataset): CompiledSchema {
  let check = compiled.get(dataset);
  if (!check) compiled.set(dataset, (check = compileRecordSchema(importRecordSchemas[dataset])));
  return check;
}

/**
 * Validates a record with its dataset's contract schema: the row (with its line), or one reject
 * per field at fault. A record the compiled checks accept is not parsed again; any other goes
 * through Zod itself, which decides and words the rejects.
 */
export function validateRecord<D extends ImportDataset>(dataset: D, line: number, fields: Record<string, unknown>): Validated<D> {
  const fast = compiledSchemaOf(dataset)(fields);
  if (fast.ok) {
    // What the compiled checks accept is what the schema accepts, as Zod would give it (compiled-schema.test.ts).
    const row = fast.data as ImportRow<D>;
    row.line = line;
    return { ok: true, row };
  }
  return validateWithZod(dataset, line, fields);
}

/**
 * The contract schema's own parse (every record the compiled checks did not accept). A message
 * never carries input: not a card number or identity document (if one of those fields' messages
 * ever held the value, it is replaced), and not an unknown key unless it looks like a field name.
 */
export function validateWithZod<D extends ImportDataset>(dataset: D, line: number, fields: Record<string, unknown>): Validated<D> {
  const parsed = importRecordSchemas[dataset].safeParse(fields);
  if (parsed.success) return { ok: true, row: { ...(parsed.data as ImportRecord<D>), line } };
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
