import { randomUUID } from "node:crypto";
import { sql, type Insertable, type Transaction } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { ImportReject } from "./import-jobs.js";
import type { BatchOutcome, ImportContext } from "./import-context.js";
import type { CustomersTable, Database, IdentifierKind, LineType } from "./schema.js";

export type CustomerImportRow = {
  line: number;
  externalId: string;
  fullName: string;
  phoneNumber?: string | undefined;
  idDocument?: string | undefined;
  birthDate?: string | undefined;
  timeZone?: string | undefined;
  lineType?: LineType | undefined;
  segment?: string | undefined;
  citibanamexCustomerId?: string | undefined;
  cardNumber?: string | undefined;
  masstackCustomerId?: string | undefined;
  imiconnectCustomerId?: string | undefined;
};

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

const ownerKey = (kind: IdentifierKind, value: string) => `${kind}\u0000${value}`;

function sameValues(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

/**
 * Applies customer rows in file order to an in-memory picture of the customers they touch, then
 * writes the difference between that picture and the stored one. A row whose identifier already
 * belongs to another customer of the organisation is rejected whole.
 */
export async function applyCustomerRows(tx: Transaction<Database>, ctx: ImportContext, rows: CustomerImportRow[]): Promise<BatchOutcome> {
  const rejects: ImportReject[] = [];
  let imported = 0;
  let unchanged = 0;
  if (rows.length === 0) return { imported, unchanged, rejects };

  const stored = await tx
    .selectFrom("customers")
    .select(["id", "external_id", "full_name", "segment", "birth_date", "time_zone", "line_type"])
    .where("org_id", "=", ctx.orgId)
    .where("external_id", "in", [...new Set(rows.map((r) => r.externalId))])
    .execute();
  const byExternalId = new Map<string, CustomerState>();
  const original = new Map<string, CustomerState>();
  for (const c of stored) {
    const state: CustomerState = {
      id: c.id,
      isNew: false,
      facts: { full_name: c.full_name, segment: c.segment, birth_date: c.birth_date, time_zone: c.time_zone, line_type: c.line_type },
      identifiers: new Map(),
    };
    if (c.external_id !== null) byExternalId.set(c.external_id, state);
  }

  // Who holds each identifier a row carries, and every identifier of the customers touched.
  const wanted = rows.map((row) =>
    identifierFields.flatMap(([kind, field]) => {
      const value = row[field];
      return typeof value === "string" ? [[kind, storedIdentifierValue(ctx.hasher, kind, value)] as const] : [];
    }),
  );
  const pairs = [...new Map(wanted.flat().map(([kind, value]) => [ownerKey(kind, value), [kind, value] as const])).values()];
  const storedIds = [...byExternalId.values()].map((c) => c.id);
  // Two index look-ups (by (kind, value), and by customer), not one OR that would scan the table.
  const owned = [
    ...(pairs.length === 0
      ? []
      : (
          await sql<{ kind: IdentifierKind; value: string; customer_id: string }>`
            select i.kind, i.value, i.customer_id
            from unnest(${pairs.map(([k]) => k)}::text[], ${pairs.map(([, v]) => v)}::text[]) as w(kind, value)
            join customer_identifiers i on i.org_id = ${ctx.orgId} and i.kind = w.kind and i.value = w.value
          `.execute(tx)
        ).rows),
    ...(storedIds.length === 0
      ? []
      : await tx.selectFrom("customer_identifiers").select(["kind", "value", "customer_id"]).where("customer_id", "in", storedIds).orderBy("kind").orderBy("value").execute()),
  ];
  const owners = new Map<string, string>();
  const byId = new Map([...byExternalId.values()].map((c) => [c.id, c]));
  for (const o of owned) {
    // A customer's own identifier may come back from both look-ups: count it once.
    if (owners.has(ownerKey(o.kind, o.value))) continue;
    owners.set(ownerKey(o.kind, o.value), o.customer_id);
    const customer = byId.get(o.customer_id);
    if (!customer) continue;
    customer.identifiers.set(o.kind, [...(customer.identifiers.get(o.kind) ?? []), o.value]);
  }
  for (const c of byExternalId.values()) original.set(c.id, { ...c, facts: { ...c.facts }, identifiers: new Map(c.identifiers) });

  rows.forEach((row, index) => {
    const current = byExternalId.get(row.externalId);
    const id = current?.id ?? randomUUID();
    const identifiers = wanted[index] ?? [];
    const conflict = identifierFields.find(([kind]) => identifiers.some(([k, v]) => k === kind && (owners.get(ownerKey(k, v)) ?? id) !== id));
    if (conflict) {
      rejects.push({ line: row.line, field: conflict[1], message: "already identifies another customer of the organisation" });
      return;
    }
    const next: CustomerState = current
      ? { ...current, facts: { ...current.facts }, identifiers: new Map(current.identifiers) }
      : { id, isNew: true, facts: { full_name: row.fullName, segment: null, birth_date: null, time_zone: "UTC", line_type: "consumer" }, identifiers: new Map() };
    let changed = !current;
    for (const [column, field] of factFields) {
      const value = row[field];
      if (typeof value !== "string" || next.facts[column] === value) continue;
      (next.facts as Record<string, string>)[column] = value;
      changed = true;
    }
    for (const [kind, value] of identifiers) {
      if (sameValues(next.identifiers.get(kind), [value])) continue;
      for (const old of next.identifiers.get(kind) ?? []) owners.delete(ownerKey(kind, old));
      next.identifiers.set(kind, [value]);
      owners.set(ownerKey(kind, value), id);
      changed = true;
    }
    byExternalId.set(row.externalId, next);
    if (changed) imported++;
    else unchanged++;
  });

  await writeDifference(tx, ctx.orgId, byExternalId, original);
  return { imported, unchanged, rejects };
}

async function writeDifference(tx: Transaction<Database>, orgId: string, final: Map<string, CustomerState>, original: Map<string, CustomerState>) {
  const inserts: Insertable<CustomersTable>[] = [];
  const replacedKinds: { customerId: string; kind: IdentifierKind }[] = [];
  const identifierRows: { org_id: string; kind: IdentifierKind; value: string; customer_id: string }[] = [];
  for (const [externalId, customer] of final) {
    const before = original.get(customer.id);
    if (customer.isNew) {
      inserts.push({ id: customer.id, org_id: orgId, external_id: externalId, ...customer.facts });
    } else if (before) {
      const changes = Object.fromEntries(Object.entries(customer.facts).filter(([column, value]) => before.facts[column as keyof Facts] !== value));
      if (Object.keys(changes).length > 0) {
        await tx
          .updateTable("customers")
          .set({ ...changes, updated_at: sql<Date>`now()` })
          .where("id", "=", customer.id)
          .execute();
      }
    }
    for (const [kind, values] of customer.identifiers) {
      if (before && sameValues(before.identifiers.get(kind), values)) continue;
      if (before?.identifiers.has(kind)) replacedKinds.push({ customerId: customer.id, kind });
      for (const value of values) identifierRows.push({ org_id: orgId, kind, value, customer_id: customer.id });
    }
  }
  if (replacedKinds.length > 0) {
    await tx
      .deleteFrom("customer_identifiers")
      .where("org_id", "=", orgId)
      .where(sql<boolean>`(customer_id, kind) in (select * from unnest(${replacedKinds.map((r) => r.customerId)}::uuid[], ${replacedKinds.map((r) => r.kind)}::text[]))`)
      .execute();
  }
  if (inserts.length > 0) await tx.insertInto("customers").values(inserts).execute();
  if (identifierRows.length > 0) await tx.insertInto("customer_identifiers").values(identifierRows).execute();
}
