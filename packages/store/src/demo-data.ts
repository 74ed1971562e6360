import { sql, type Kysely } from "kysely";
import { createApiKey } from "./api-keys.js";
import { storedIdentifierValue } from "./customers.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { Database, IdentifierKind, LineType, ProfileAttribute, ScoringScale } from "./schema.js";

/**
 * The demo data set: makes every example in the seeds work verbatim. The README's
 * "Demo identities" table lists it; keep the two in step.
 */

type DemoCustomer = {
  id: string;
  /** The organisation's own reference: the key an import addresses the customer by. */
  externalId: string;
  orgId: string;
  fullName: string;
  segment?: string;
  birthDate?: string;
  timeZone?: string;
  lineType?: LineType;
  identifiers: Partial<Record<IdentifierKind, string>>;
  scores?: Partial<Record<ScoringScale, number>>;
  /** IMIconnect attributes as [column ID, name, value], in column order. */
  attributes?: [number, string, string][];
  /** IMIconnect profiles linked to the master profile (InwardLinks). */
  linkedProfiles?: { profileId: string; profileName: string; kind: "application" | "channel"; records: ProfileAttribute[][] }[];
};

/** Columns of the seed's first example (customer 4545). */
const seedColumnsA = ["msisdn", "email", "name", "customerId", "sms", "voice", "rt", "fb", "twitter", "wechat", "wa"];
/** Columns of the seed's second example (customers 2134 and 2142). */
const seedColumnsB = ["msisdn", "email", "name", "customerId", "sms", "voice", "ussd", "rt", "fb", "fbc", "twitter", "mxit", "wechat", "wa"];

function attributes(firstId: number, names: string[], values: Record<string, string>): [number, string, string][] {
  return names.map((name, i) => [firstId + i, name, values[name] ?? "1"]);
}

export const DEMO_ORGANISATIONS = [
  { id: "telco", name: "Demo Telco" },
  { id: "other", name: "Other Organisation" },
] as const;

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001",
    externalId: "CRM-0001",
    orgId: "telco",
    fullName: "Luis Diaz Salinas",
    segment: "20",
    birthDate: "1985-03-14",
    timeZone: "America/Mexico_City",
    identifiers: {
      phone: "+34600000001",
      id_document: "87654321X",
      citibanamex_customer_id: "321116471234",
      card_number: "4969452123456110",
      masstack_customer_id: "123e4567-e89b-12d3-a456-556642440000",
      imiconnect_customer_id: "100001",
    },
    scores: { gaugeMetric: 600, veritasIndex: 4 },
    attributes: attributes(8574, seedColumnsA, {
      msisdn: "34600000001",
      email: "luis.diaz@example.com",
      name: "Luis Diaz Salinas",
      customerId: "100001",
    }),
    linkedProfiles: [
      {
        profileId: "app-telco-mobile",
        profileName: "Telco Mobile App",
        kind: "application",
        records: [[{ Name: "userId", Value: "luis.diaz", ID: 9001 }, { Name: "deviceId", Value: "android-5f2c9e11", ID: 9002 }, { Name: "pushId", Value: "fcm:dK3x9Qp2", ID: 9003 }]],
      },
      {
        profileId: "channel-facebook",
        profileName: "Facebook Messenger",
        kind: "channel",
        records: [[{ Name: "fbUserId", Value: "1000234567", ID: 9101 }]],
      },
    ],
  },
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1002",
    externalId: "CRM-0002",
    orgId: "telco",
    fullName: "Demo Business Line SL",
    segment: "40",
    birthDate: "2001-06-01",
    timeZone: "Europe/Madrid",
    lineType: "business",
    identifiers: { phone: "+34600000002", id_document: "11111111H" },
    scores: { gaugeMetric: 710, veritasIndex: 2 },
  },
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a4545",
    externalId: "CRM-4545",
    orgId: "telco",
    fullName: "john",
    identifiers: { imiconnect_customer_id: "4545" },
    attributes: attributes(8574, seedColumnsA, { msisdn: "91900007707", email: "[email protected]", name: "john", customerId: "4545" }),
    linkedProfiles: [
      {
        profileId: "app-telco-mobile",
        profileName: "Telco Mobile App",
        kind: "application",
        records: [[{ Name: "userId", Value: "john4545", ID: 9001 }, { Name: "deviceId", Value: "ios-7a41b0c3", ID: 9002 }, { Name: "pushId", Value: "apns:c41f0e77", ID: 9003 }]],
      },
      {
        profileId: "channel-twitter",
        profileName: "Twitter",
        kind: "channel",
        records: [[{ Name: "twitterHandle", Value: "@john4545", ID: 9102 }]],
      },
    ],
  },
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a2134",
    externalId: "CRM-2134",
    orgId: "telco",
    fullName: "jagadeesh",
    identifiers: { imiconnect_customer_id: "2134" },
    attributes: attributes(8328, seedColumnsB, { msisdn: "918106565495", email: "[email protected]", name: "jagadeesh", customerId: "2134" }),
  },
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a2142",
    externalId: "CRM-2142",
    orgId: "telco",
    fullName: "balaji",
    identifiers: { imiconnect_customer_id: "2142" },
    attributes: attributes(8328, seedColumnsB, { msisdn: "919963427038", email: "[email protected]", name: "balaji", customerId: "2142" }),
  },
  {
    id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a9999",
    externalId: "OTH-0001",
    orgId: "other",
    fullName: "Ana Torres Vidal",
    segment: "10",
    birthDate: "1990-11-02",
    timeZone: "Europe/Madrid",
    identifiers: {
      phone: "+34600000009",
      masstack_customer_id: "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01",
      imiconnect_customer_id: "9999",
    },
    scores: { gaugeMetric: 420, veritasIndex: 12 },
    attributes: attributes(9101, ["msisdn", "email", "name", "customerId"], {
      msisdn: "34600000009",
      email: "ana.torres@example.com",
      name: "Ana Torres Vidal",
      customerId: "9999",
    }),
  },
];

export const DEMO_CATEGORIES = [
  { orgId: "telco", id: 214748364, name: "customer_type", description: "Commercial treatment of the customer", validValues: ["influencer", "employee", "standard", null] },
  { orgId: "telco", id: 214748365, name: "churn_risk", description: "Risk of the customer leaving", validValues: ["low", "medium", "high"] },
  { orgId: "other", id: 300000001, name: "customer_type", description: "Commercial treatment of the customer", validValues: ["standard", "vip"] },
];

export const DEMO_CUSTOMER_CATEGORIES = [
  {
    orgId: "telco",
    customerId: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001",
    categoryId: 214748364,
    value: "influencer",
    description: "Bill discount",
    reason: "Masmovil sponsors their videos",
  },
];

export const DEMO_API_CLIENTS = [
  { clientId: "demo-mobile-app", orgId: "telco", name: "Demo mobile app", countries: ["MX"], businessCodes: ["BCNMX"], channels: ["MOBILE", "BRANCH"] },
];

/** Demo API keys (IMIconnect `key` header). Loaded only with the demo data, never in production. */
export const DEMO_API_KEYS = [
  { orgId: "telco", label: "demo telco profile key", key: "demo-telco-profile-key" },
  { orgId: "other", label: "demo other profile key", key: "demo-other-profile-key" },
];

const DEMO_ACTOR = "demo-data";

/** Loads the demo data set if the store has no organisation yet; returns whether it did. */
export async function loadDemoDataIfEmpty(db: Kysely<Database>, hasher: IdentifierHasher): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    // Serialise concurrent starts on PostgreSQL; a no-op cost on PGlite.
    await sql`select pg_advisory_xact_lock(hashtext('insights-bff:demo-data'))`.execute(tx);
    const existing = await tx.selectFrom("organisations").select("id").limit(1).executeTakeFirst();
    if (existing) return false;

    await tx.insertInto("organisations").values([...DEMO_ORGANISATIONS]).execute();
    for (const c of DEMO_CUSTOMERS) {
      await tx
        .insertInto("customers")
        .values({
          id: c.id,
          external_id: c.externalId,
          org_id: c.orgId,
          full_name: c.fullName,
          segment: c.segment ?? null,
          birth_date: c.birthDate ?? null,
          time_zone: c.timeZone ?? "UTC",
          line_type: c.lineType ?? "consumer",
        })
        .execute();
      const identifiers = Object.entries(c.identifiers) as [IdentifierKind, string][];
      await tx
        .insertInto("customer_identifiers")
        .values(identifiers.map(([kind, value]) => ({ org_id: c.orgId, kind, value: storedIdentifierValue(hasher, kind, value), customer_id: c.id })))
        .execute();
      const scores = Object.entries(c.scores ?? {}) as [ScoringScale, number][];
      if (scores.length > 0) {
        await tx.insertInto("customer_scores").values(scores.map(([scale, value]) => ({ customer_id: c.id, scale, value }))).execute();
      }
      for (const p of c.linkedProfiles ?? []) {
        await tx
          .insertInto("customer_linked_profiles")
          .values({ org_id: c.orgId, customer_id: c.id, profile_id: p.profileId, profile_name: p.profileName, kind: p.kind, records: JSON.stringify(p.records) })
          .execute();
      }
      if (c.attributes) {
        await tx
          .insertInto("profile_attribute_columns")
          .values(c.attributes.map(([id, name]) => ({ org_id: c.orgId, id, name })))
          .onConflict((oc) => oc.doNothing())
          .execute();
        await tx
          .insertInto("customer_profile_attributes")
          .values(c.attributes.map(([columnId, , value]) => ({ org_id: c.orgId, customer_id: c.id, column_id: columnId, value })))
          .execute();
      }
    }
    await tx
      .insertInto("categories")
      .values(DEMO_CATEGORIES.map((k) => ({ org_id: k.orgId, id: k.id, name: k.name, description: k.description, valid_values: JSON.stringify(k.validValues) })))
      .execute();
    for (const cc of DEMO_CUSTOMER_CATEGORIES) {
      const row = { org_id: cc.orgId, customer_id: cc.customerId, category_id: cc.categoryId, value: cc.value, description: cc.description, reason: cc.reason };
      await tx.insertInto("customer_categories").values(row).execute();
      await tx.insertInto("customer_category_history").values({ ...row, operation: "create", actor: DEMO_ACTOR }).execute();
    }
    await tx
      .insertInto("api_clients")
      .values(
        DEMO_API_CLIENTS.map((a) => ({
          client_id: a.clientId,
          org_id: a.orgId,
          name: a.name,
          countries: JSON.stringify(a.countries),
          business_codes: JSON.stringify(a.businessCodes),
          channels: JSON.stringify(a.channels),
        })),
      )
      .execute();
    for (const k of DEMO_API_KEYS) await createApiKey(tx, hasher, k.orgId, k.label, k.key);
    return true;
  });
}

/**
 * What of the demo data set a store holds: demo organisations (by id and name), the demo API
 * client and unrevoked demo API keys (by keyed hash). A production start refuses to run on
 * such a store, since the demo keys are published in the README.
 */
export async function findDemoData(db: Kysely<Database>, hasher: IdentifierHasher): Promise<string[]> {
  const found: string[] = [];
  const organisations = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("id", "in", DEMO_ORGANISATIONS.map((o) => o.id))
    .orderBy("id")
    .execute();
  for (const org of organisations) {
    if (DEMO_ORGANISATIONS.some((demo) => demo.id === org.id && demo.name === org.name)) found.push(`demo organisation "${org.id}"`);
  }
  const clients = await db.selectFrom("api_clients").select("client_id").where("client_id", "in", DEMO_API_CLIENTS.map((c) => c.clientId)).execute();
  for (const client of clients) found.push(`demo API client "${client.client_id}"`);
  const keys = await db
    .selectFrom("api_keys")
    .select("id")
    .where("key_hash", "in", DEMO_API_KEYS.map((k) => hasher.hash("api_key", k.key)))
    .where("revoked_at", "is", null)
    .orderBy("id")
    .execute();
  for (const key of keys) found.push(`demo API key ${key.id}`);
  return found;
}
