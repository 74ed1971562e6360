import { randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { ImportReject } from "./import-jobs.js";
import type { BatchOutcome, ImportContext, ImportRow } from "./import-context.js";
import type { Database, IdentifierKind, LineType } from "./schema.js";

export type CustomerImportRow = ImportRow<"customers">;

/** The record field carrying each identifier kind. */
const identifierFields: [IdentifierKind, keyof CustomerImportRow][] = [
  ["phone", "phoneNumber"],
  ["id_document", "idDocument"],
  ["citibanamex_customer_id", "citibanamexCustomerId"],
  ["card_number", "cardNumber"],
  ["masstack_customer_id", "masstackCustomerId"],
  ["imiconnect_customer_id", "imiconnectCustomerId"],
];

type Facts = { full_name: string; segment: string | null; birth_date: string | null; time_zone: string; line_type: LineType };
const factFields: [keyof Facts, keyof CustomerImportRow][] = [
  ["full_name", "fullName"],
  ["segment", "segment"],
  ["birth_date", "birthDate"],
  ["time_zone", "timeZone"],
  ["line_type", "lineType"],
];

type CustomerState = { id: string; isNew: boolean; facts: Facts; identifiers: Map<IdentifierKind, string[]> };

/** An identifier a row carries, as stored (keyed hash for the hashed kinds), with its field. */
type Wanted = { kind: IdentifierKind; field: keyof CustomerImportRow; value: string; key: string };

const ownerKey = (kind: IdentifierKind, value: string) => `${kind}\u0000${value}`;

function sameValues(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

/**
 * Thrown when an optimistic batch's write met a row its skipped look-up would have found (an
 * identifier, or a customer created meanwhile): nothing of the transaction may be kept, and the
 * batch is applied again with every look-up (applyImportBatch does).
 */
export class OptimisticConflict extends Error {
  constructor(cause: unknown) {
    super("an optimistic import batch met stored rows: applying it again with look-ups", { cause });
  }
}

const UNIQUE_VIOLATION = "23505";

/**
 * What a batch of customer rows needs that no query does, worked out before its transaction
 * (applyImportBatch prepares a batch while the one before is still in the database): every
 * identifier each row carries as stored (keyed hashes taken here), and — in case none of the
 * rows' customers exists, the common case of a first import — the picture and the statements'
 * arrays of the batch applied to nothing, ready to send.
 */
export type PreparedCustomerRows = {
  rows: CustomerImportRow[];
  externalIds: string[];
  wanted: Wanted[][];
  pairs: Map<string, Wanted>;
  /** The batch applied to no stored customer, when that leaves every identifier to the row carrying it. */
  allNew: { outcome: BatchOutcome; writes: Writes } | undefined;
};

export function prepareCustomerRows(ctx: Pick<ImportContext, "hasher">, rows: CustomerImportRow[]): PreparedCustomerRows {
  const externalIds = [...new Set(rows.map((r) => r.externalId))];
  // Every identifier each row carries, as stored (documents and cards as their keyed hash).
  const wanted: Wanted[][] = rows.map((row) => {
    const carried: Wanted[] = [];
    for (const [kind, field] of identifierFields) {
      const raw = row[field];
      if (typeof raw !== "string") continue;
      const value = storedIdentifierValue(ctx.hasher, kind, raw);
      carried.push({ kind, field, value, key: ownerKey(kind, value) });
    }
    return carried;
  });
  const pairs = new Map<string, Wanted>();
  for (const carried of wanted) for (const w of carried) pairs.set(w.key, w);
  const picture = applyInOrder(rows, wanted, new Map(), new Map());
  const allNew =
    picture.outcome.rejects.length === 0 && identifierCount(picture.final) === pairs.size ? { outcome: picture.outcome, writes: differenceOf(picture.final, new Map()) } : undefined;
  return { rows, externalIds, wanted, pairs, allNew };
}

/**
 * Applies customer rows in file order to an in-memory picture of the customers they touch, then
 * writes the difference between that picture and the stored one. A row whose identifier already
 * belongs to another customer of the organisation is rejected whole.
 *
 * Set-based: whatever the batch's size, it costs the same few statements, each with a fixed
 * text (prepared once per session) and its rows as arrays — two look-ups (the customers by
 * external id, and who holds each identifier the rows carry or the customers found hold), then
 * at most one delete, one insert and one update of customers and one insert of identifiers.
 *
 * `optimistic`: when no row's customer exists yet, who holds the rows' identifiers is not looked
 * up (six index look-ups a row, about a quarter of the database's work on a new customer): the
 * rows are applied as if nobody did, provided that leaves every identifier any row carries to the
 * customer that carries it (no row rejected, no identifier replaced within the batch) — else the
 * look-up is made after all. Then the insert itself is the look-up: the identifiers' primary key
 * refuses one that is stored (it belongs to another customer, since none of these existed), and
 * the OptimisticConflict thrown has the batch applied again, looking up — the outcome is always
 * the one the look-up would have given.
 */
export async function applyCustomerRows(
  tx: Transaction<Database>,
  ctx: ImportContext,
  prepared: PreparedCustomerRows,
  options: { optimistic?: boolean } = {},
): Promise<BatchOutcome> {
  const { rows, externalIds, wanted, pairs } = prepared;
  if (rows.length === 0) return { imported: 0, unchanged: 0, rejects: [] };

  const { rows: stored } = await sql<{ id: string; external_id: string; full_name: string; segment: string | null; birth_date: string | null; time_zone: string; line_type: LineType }>`
    select id, external_id, full_name, segment, birth_date, time_zone, line_type
    from customers
    where org_id = ${ctx.orgId} and external_id = any (${externalIds}::text[])
  `.execute(tx);

  if (options.optimistic && stored.length === 0 && prepared.allNew) {
    try {
      await writeColumns(tx, ctx.orgId, prepared.allNew.writes);
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new OptimisticConflict(error);
      throw error;
    }
    return prepared.allNew.outcome;
  }

  const byExternalId = new Map<string, CustomerState>();
  const byId = new Map<string, CustomerState>();
  for (const c of stored) {
    const state: CustomerState = {
      id: c.id,
      isNew: false,
      facts: { full_name: c.full_name, segment: c.segment, birth_date: c.birth_date, time_zone: c.time_zone, line_type: c.line_type },
      identifiers: new Map(),
    };
    byExternalId.set(c.external_id, state);
    byId.set(c.id, state);
  }

  // Who holds each identifier a row carries, and every identifier of the customers found: one
  // statement, two index look-ups (by (kind, value), and by customer), not one OR that would scan the table.
  const storedIds = [...byId.keys()];
  const { rows: owned } = await sql<{ kind: IdentifierKind; value: string; customer_id: string }>`
    select i.kind, i.value, i.customer_id
    from unnest(${[...pairs.values()].map((w) => w.kind)}::text[], ${[...pairs.values()].map((w) => w.value)}::text[]) as w(kind, value)
    join customer_identifiers i on i.org_id = ${ctx.orgId} and i.kind = w.kind and i.value = w.value
    union
    select i.kind, i.value, i.customer_id
    from customer_identifiers i
    where i.customer_id = any (${storedIds}::uuid[])
    order by 1, 2
  `.execute(tx);
  const owners = new Map<string, string>();
  for (const o of owned) {
    const key = ownerKey(o.kind, o.value);
    if (owners.has(key)) continue;
    owners.set(key, o.customer_id);
    const customer = byId.get(o.customer_id);
    if (!customer) continue;
    const values = customer.identifiers.get(o.kind);
    if (values) values.push(o.value);
    else customer.identifiers.set(o.kind, [o.value]);
  }
  // The stored picture, before any row: what the difference is taken against.
  const original = new Map<string, CustomerState>();
  for (const c of byId.values()) original.set(c.id, { ...c, facts: { ...c.facts }, identifiers: new Map(c.identifiers) });

  const picture = applyInOrder(rows, wanted, byExternalId, owners);
  await writeColumns(tx, ctx.orgId, differenceOf(picture.final, original));
  return picture.outcome;
}

/** Identifier rows of a picture of new customers. */
function identifierCount(final: Map<string, CustomerState>): number {
  let count = 0;
  for (const customer of final.values()) for (const values of customer.identifiers.values()) count += values.length;
  return count;
}

/**
 * The rows applied in file order to the customers as stored (`byExternalId`, updated in place:
 * the caller keeps its own copy of the stored picture) and to who holds each identifier
 * (`owners`, likewise): the final picture, the counts and the rejects.
 */
function applyInOrder(
  rows: CustomerImportRow[],
  wanted: Wanted[][],
  byExternalId: Map<string, CustomerState>,
  owners: Map<string, string>,
): { final: Map<string, CustomerState>; outcome: BatchOutcome } {
  const rejects: ImportReject[] = [];
  let imported = 0;
  let unchanged = 0;
  rows.forEach((row, index) => {
    const current = byExternalId.get(row.externalId);
    const id = current?.id ?? randomUUID();
    const carried = wanted[index] ?? [];
    // Rejected whole, on the first field (in record order) whose identifier another customer holds.
    const conflict = carried.find((w) => (owners.get(w.key) ?? id) !== id);
    if (conflict) {
      rejects.push({ line: row.line, field: conflict.field, message: "already identifies another customer of the organisation" });
      return;
    }
    // Nothing was changed above: the picture is updated in place (`original` holds its own copies).
    const next: CustomerState = current ?? {
      id,
      isNew: true,
      facts: { full_name: row.fullName, segment: null, birth_date: null, time_zone: "UTC", line_type: "consumer" },
      identifiers: new Map(),
    };
    let changed = !current;
    for (const [column, field] of factFields) {
      const value = row[field];
      if (typeof value !== "string" || next.facts[column] === value) continue;
      (next.facts as Record<string, string>)[column] = value;
      changed = true;
    }
    for (const { kind, value, key } of carried) {
      const held = next.identifiers.get(kind);
      if (held && held.length === 1 && held[0] === value) continue;
      for (const old of held ?? []) owners.delete(ownerKey(kind, old));
      next.identifiers.set(kind, [value]);
      owners.set(key, id);
      changed = true;
    }
    if (!current) byExternalId.set(row.externalId, next);
    if (changed) imported++;
    else unchanged++;
  });

  return { final: byExternalId, outcome: { imported, unchanged, rejects } };
}

/** Columns of a statement's rows, one array per column (what `unnest` takes). */
type Columns<T extends string> = Record<T, (string | null)[]>;
const columns = <T extends string>(...names: T[]): Columns<T> => Object.fromEntries(names.map((n) => [n, []])) as unknown as Columns<T>;

/**
 * An array as PostgreSQL's text input reads it, exactly as node-postgres would write it (each
 * element quoted, `\` and `"` escaped, null as NULL): written here, before the transaction, so
 * the statement's parameters go as they are.
 */
function arrayLiteral(values: (string | null)[]): string {
  let text = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) text += ",";
    text += value === null || value === undefined ? "NULL" : `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  }
  return `${text}}`;
}
const literals = <T extends string>(cols: Columns<T>): Record<T, string> => Object.fromEntries(Object.entries(cols).map(([name, values]) => [name, arrayLiteral(values as (string | null)[])])) as Record<T, string>;

/** A batch's writes, each column an array literal, and whether each statement has rows. */
type Writes = {
  inserted: Record<"id" | "external_id" | "full_name" | "segment" | "birth_date" | "time_zone" | "line_type", string>;
  updated: Record<"id" | "full_name" | "segment" | "birth_date" | "time_zone" | "line_type", string>;
  replaced: Record<"customer_id" | "kind", string> | undefined;
  identifiers: Record<"kind" | "value" | "customer_id", string>;
  /** Customers inserted or updated, and identifiers inserted: none, no statement. */
  anyWritten: boolean;
};

/** What the rows change: the difference between the final picture and the stored one. */
function differenceOf(final: Map<string, CustomerState>, original: Map<string, CustomerState>): Writes {
  const inserted = columns("id", "external_id", "full_name", "segment", "birth_date", "time_zone", "line_type");
  const updated = columns("id", "full_name", "segment", "birth_date", "time_zone", "line_type");
  const replaced = columns("customer_id", "kind");
  const identifiers = columns("kind", "value", "customer_id");
  for (const [externalId, customer] of final) {
    const before = original.get(customer.id);
    const { facts } = customer;
    if (customer.isNew) {
      inserted.id.push(customer.id);
      inserted.external_id.push(externalId);
      inserted.full_name.push(facts.full_name);
      inserted.segment.push(facts.segment);
      inserted.birth_date.push(facts.birth_date);
      inserted.time_zone.push(facts.time_zone);
      inserted.line_type.push(facts.line_type);
    } else if (before && factFields.some(([column]) => before.facts[column] !== facts[column])) {
      updated.id.push(customer.id);
      updated.full_name.push(facts.full_name);
      updated.segment.push(facts.segment);
      updated.birth_date.push(facts.birth_date);
      updated.time_zone.push(facts.time_zone);
      updated.line_type.push(facts.line_type);
    }
    for (const [kind, values] of customer.identifiers) {
      if (before && sameValues(before.identifiers.get(kind), values)) continue;
      if (before?.identifiers.has(kind)) {
        replaced.customer_id.push(customer.id);
        replaced.kind.push(kind);
      }
      for (const value of values) {
        identifiers.kind.push(kind);
        identifiers.value.push(value);
        identifiers.customer_id.push(customer.id);
      }
    }
  }
  return {
    inserted: literals(inserted),
    updated: literals(updated),
    replaced: replaced.customer_id.length > 0 ? literals(replaced) : undefined,
    identifiers: literals(identifiers),
    anyWritten: inserted.id.length + updated.id.length + identifiers.kind.length > 0,
  };
}

async function writeColumns(tx: Transaction<Database>, orgId: string, { inserted, updated, replaced, identifiers, anyWritten }: Writes) {
  // Replaced identifiers go first: a value this batch moves to another customer is free by then.
  if (replaced) {
    await sql`
      delete from customer_identifiers
      where org_id = ${orgId} and (customer_id, kind) in (select * from unnest(${replaced.customer_id}::uuid[], ${replaced.kind}::text[]))
    `.execute(tx);
  }
  if (!anyWritten) return;
  // One statement: the new customers, the changed ones, and the identifiers they gain. Its parts
  // see the same snapshot (none needs another's rows); the identifiers' check of their customers
  // runs after the whole statement, the new customers included.
  await sql`
    with inserted as (
      insert into customers (id, org_id, external_id, full_name, segment, birth_date, time_zone, line_type)
      select u.id, ${orgId}, u.external_id, u.full_name, u.segment, u.birth_date::date, u.time_zone, u.line_type
      from unnest(${inserted.id}::uuid[], ${inserted.external_id}::text[], ${inserted.full_name}::text[], ${inserted.segment}::text[],
                  ${inserted.birth_date}::text[], ${inserted.time_zone}::text[], ${inserted.line_type}::text[])
        as u(id, external_id, full_name, segment, birth_date, time_zone, line_type)
    ), updated as (
      -- The facts as the rows left them (columns no row changed keep their stored value).
      update customers c
      set full_name = u.full_name, segment = u.segment, birth_date = u.birth_date::date, time_zone = u.time_zone, line_type = u.line_type, updated_at = now()
      from unnest(${updated.id}::uuid[], ${updated.full_name}::text[], ${updated.segment}::text[], ${updated.birth_date}::text[],
                  ${updated.time_zone}::text[], ${updated.line_type}::text[])
        as u(id, full_name, segment, birth_date, time_zone, line_type)
      where c.id = u.id and c.org_id = ${orgId}
    )
    insert into customer_identifiers (org_id, kind, value, customer_id)
    select ${orgId}, u.kind, u.value, u.customer_id
    from unnest(${identifiers.kind}::text[], ${identifiers.value}::text[], ${identifiers.customer_id}::uuid[]) as u(kind, value, customer_id)
  `.execute(tx);
}
