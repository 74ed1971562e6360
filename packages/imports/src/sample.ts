import { importDatasetFields, type ImportDataset } from "@insights/contracts/records";
import { DEMO_CATEGORIES } from "@insights/store";
import { csvField } from "./csv.js";
import type { ImportFormat } from "./record-reader.js";

/**
 * Synthetic import files for tests, the bench and demos: `rows` valid records, `bad` of them
 * replaced by invalid ones at lines chosen by the seed. Same arguments, same bytes. Customer
 * i (from 1) is `CUST-00000i`; the other datasets refer to those customers.
 */

export type SampleOptions = { dataset: ImportDataset; rows: number; bad: number; seed: number; org: string; format: ImportFormat };

/** mulberry32: a small, fast, seeded generator (not for secrets). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const givenNames = ["Lucia", "Hugo", "Martina", "Mateo", "Sofia", "Leo", "Valeria", "Daniel", "Paula", "Pablo"];
const familyNames = ["Garcia", "Rodriguez", "Gonzalez", "Fernandez", "Lopez", "Martinez", "Sanchez", "Perez", "Gomez", "Diaz"];
const timeZones = ["Europe/Madrid", "America/Mexico_City", "America/Bogota", "UTC"];
const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
const ATTRIBUTE_COLUMNS: [number, string][] = [
  [7001, "msisdn"],
  [7002, "email"],
  [7003, "name"],
  [7004, "tier"],
];

const pad = (n: number, width: number) => String(n).padStart(width, "0");
export const sampleExternalId = (i: number) => `CUST-${pad(i, 6)}`;

/** A card number that passes the Luhn check, from the customer's index. */
function cardNumber(i: number): string {
  const body = `496945${pad(i, 9)}`;
  let sum = 0;
  for (let k = 0; k < body.length; k++) {
    let digit = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Math.floor(next() * 4) + 8) as number).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

type Sample = Record<string, string | number | null>;

function validRecord(dataset: ImportDataset, index: number, org: string, next: () => number): Sample {
  switch (dataset) {
    case "customers": {
      const i = index + 1;
      const given = givenNames[i % givenNames.length] ?? "Ana";
      const family = familyNames[Math.floor(next() * familyNames.length)] ?? "Ruiz";
      const document = pad(10_000_000 + i, 8);
      const year = 1950 + Math.floor(next() * 55);
      const month = 1 + Math.floor(next() * 12);
      const day = 1 + Math.floor(next() * 28);
      return {
        externalId: sampleExternalId(i),
        fullName: `${given} ${family} ${i}`,
        phoneNumber: `+3461${pad(i, 7)}`,
        idDocument: `${document}${DNI_LETTERS[Number(document) % 23]}`,
        birthDate: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
        timeZone: timeZones[i % timeZones.length] ?? "UTC",
        lineType: i % 10 === 0 ? "business" : "consumer",
        segment: String(10 * (1 + Math.floor(next() * 5))),
        citibanamexCustomerId: `5${pad(i, 11)}`,
        cardNumber: cardNumber(i),
        masstackCustomerId: uuidFrom(next),
        imiconnectCustomerId: `IMI${pad(i, 7)}`,
      };
    }
    case "scores": {
      const gauge = index % 2 === 0;
      return {
        externalId: sampleExternalId(Math.floor(index / 2) + 1),
        scoringType: gauge ? "gaugeMetric" : "veritasIndex",
        scoringValue: gauge ? 300 + Math.floor(next() * 551) : Math.floor(next() * 20),
      };
    }
    case "profile-attributes": {
      const i = Math.floor(index / ATTRIBUTE_COLUMNS.length) + 1;
      const [columnId, name] = ATTRIBUTE_COLUMNS[index % ATTRIBUTE_COLUMNS.length] ?? [7001, "msisdn"];
      const values: Record<string, string> = { msisdn: `3461${pad(i, 7)}`, email: `customer${i}@example.com`, name: `Customer ${i}`, tier: ["gold", "silver", "bronze"][Math.floor(next() * 3)] ?? "bronze" };
      return { externalId: sampleExternalId(i), columnId, name, value: values[name] ?? null };
    }
    case "category-assignments": {
      const categories = DEMO_CATEGORIES.filter((c) => c.orgId === org);
      const category = categories[index % Math.max(categories.length, 1)];
      if (!category) throw new Error(`organisation ${org} has no demo categories to sample`);
      const values = category.validValues.filter((v): v is string => v !== null);
      return {
        externalId: sampleExternalId(Math.floor(index / Math.max(categories.length, 1)) + 1),
        categoryId: category.id,
        value: values[Math.floor(next() * values.length)] ?? null,
        description: `sampled ${category.name}`,
      };
    }
  }
}

/** Invalid variants, each caught by the contract schema (or, for categories, by the catalogue). */
function spoil(dataset: ImportDataset, record: Sample, next: () => number): Sample {
  const variant = Math.floor(next() * 3);
  switch (dataset) {
    case "customers":
      return variant === 0 ? { ...record, phoneNumber: "0034600" } : variant === 1 ? { ...record, birthDate: "1990-02-30" } : { ...record, cardNumber: "4969-0000" };
    case "scores":
      return variant === 0 ? { ...record, scoringValue: 9999 } : variant === 1 ? { ...record, scoringType: "fico" } : { ...record, externalId: "" };
    case "profile-attributes":
      return variant === 0 ? { ...record, columnId: "seven" } : variant === 1 ? { ...record, name: "" } : { ...record, externalId: "no spaces allowed" };
    case "category-assignments":
      return variant === 0 ? { ...record, value: "not-a-valid-value" } : variant === 1 ? { ...record, categoryId: "x" } : { ...record, externalId: "" };
  }
}

/** The sample's lines (each without its newline), header first for CSV. */
export function* sampleLines(options: SampleOptions): Generator<string> {
  const next = random(options.seed);
  const badNext = random(options.seed ^ 0x5bd1e995);
  const bad = new Set<number>();
  const wanted = Math.min(options.bad, options.rows);
  while (bad.size < wanted) bad.add(Math.floor(badNext() * options.rows));
  const fields = importDatasetFields[options.dataset];
  if (options.format === "csv") yield fields.join(",");
  for (let index = 0; index < options.rows; index++) {
    let record = validRecord(options.dataset, index, options.org, next);
    if (bad.has(index)) record = spoil(options.dataset, record, badNext);
    if (options.format === "ndjson") yield JSON.stringify(record);
    else yield fields.map((f) => (record[f] === undefined || record[f] === null ? "" : csvField(String(record[f])))).join(",");
  }
}
