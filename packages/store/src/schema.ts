import type { ImportDataset, lineTypes, ScoringType } from "@insights/contracts/records";
import type { ColumnType, Generated, Selectable } from "kysely";

/** Row types of the tables in migrations/, for Kysely. Keep in step with the SQL. */

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;
/** `date` columns come back as `YYYY-MM-DD` text on both drivers (see type parsers in store.ts). */
type DateText = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;

export const identifierKinds = [
  "phone",
  "id_document",
  "citibanamex_customer_id",
  "card_number",
  "masstack_customer_id",
  "imiconnect_customer_id",
] as const;
export type IdentifierKind = (typeof identifierKinds)[number];
/** Identifiers that are personal documents or payment data: stored only as keyed hashes. */
export const hashedIdentifierKinds: ReadonlySet<IdentifierKind> = new Set(["id_document", "card_number"]);

/** The scales and line types are the contract records' (packages/contracts, the single source of truth). */
export type ScoringScale = ScoringType;

export type LineType = (typeof lineTypes)[number];

export type OrganisationsTable = { id: string; name: string; created_at: CreatedAt };

export type CustomersTable = {
  id: string;
  org_id: string;
  /** The organisation's own reference (unique per organisation): the natural key of imports. */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  full_name: string;
  segment: string | null;
  birth_date: DateText | null;
  time_zone: ColumnType<string, string | undefined, string>;
  line_type: ColumnType<LineType, LineType | undefined, LineType>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

export type CustomerIdentifiersTable = { org_id: string; kind: IdentifierKind; value: string; customer_id: string };

export type ProfileAttributeColumnsTable = { org_id: string; id: number; name: string };

export type CustomerProfileAttributesTable = { org_id: string; customer_id: string; column_id: number; value: string | null };

export type CustomerScoresTable = { customer_id: string; scale: ScoringScale; value: number; updated_at: UpdatedAt };

export type CategoriesTable = {
  org_id: string;
  id: Generated<number>;
  name: string;
  description: string | null;
  valid_values: Json<(string | null)[]>;
  created_at: CreatedAt;
};

export type CustomerCategoriesTable = {
  org_id: string;
  customer_id: string;
  category_id: number;
  value: string | null;
  description: string | null;
  reason: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

export type CategoryOperation = "create" | "update" | "delete";

export type CustomerCategoryHistoryTable = {
  seq: ColumnType<string, never, never>;
  org_id: string;
  customer_id: string;
  category_id: number;
  operation: CategoryOperation;
  value: string | null;
  description: string | null;
  reason: string | null;
  actor: string;
  occurred_at: CreatedAt;
};

export type ApiClientsTable = {
  client_id: string;
  org_id: string;
  name: string;
  countries: Json<string[]>;
  business_codes: Json<string[]>;
  channels: Json<string[]>;
  created_at: CreatedAt;
};

export type ApiKeysTable = {
  id: string;
  org_id: string;
  label: string;
  key_hash: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
};

export type E2eSessionsTable = {
  sid: string;
  org_id: string;
  client_id: string;
  modulus: string;
  exponent: string;
  created_at: CreatedAt;
  expires_at: Date;
};

export type ProfileAttribute = { Name: string; Value: string | null; ID: number };

export type CustomerLinkedProfilesTable = {
  org_id: string;
  customer_id: string;
  profile_id: string;
  profile_name: string;
  kind: "application" | "channel";
  records: Json<ProfileAttribute[][]>;
};

export type ImportDatasetName = ImportDataset;
export type ImportFormat = "ndjson" | "csv";
export type ImportJobState = "queued" | "running" | "succeeded" | "failed";

/** bigint counters come back as text on both drivers; the store converts them. */
type Counter = ColumnType<string, number | undefined, number | string>;

export type ImportJobsTable = {
  id: string;
  org_id: string;
  dataset: ImportDatasetName;
  format: ImportFormat;
  staged_in: ColumnType<"file" | "chunks", "file" | "chunks" | undefined, "file" | "chunks">;
  source: string;
  header: string | null;
  chunks: ColumnType<number, number | undefined, number>;
  state: ColumnType<ImportJobState, ImportJobState | undefined, ImportJobState>;
  error: string | null;
  failure_reason: string | null;
  fair_base: number | null;
  checkpoint_line: Counter;
  rows_read: Counter;
  rows_imported: Counter;
  rows_unchanged: Counter;
  rows_rejected: Counter;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: UpdatedAt;
};

export type ImportChunksTable = {
  job_id: string;
  seq: number;
  first_line: ColumnType<string, number, number>;
  body: string;
  checkpoint_line: Counter;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  long_lines: ColumnType<string[], number[] | undefined, number[]>;
};

export type ImportRejectsTable = { job_id: string; line: ColumnType<string, number, number>; field: string; message: string };

/** Upstream families whose vendor account can be an organisation's own (0013). */
export const upstreamCredentialFamilies = ["scoring", "segments", "categories", "profiles"] as const;
export type UpstreamCredentialFamily = (typeof upstreamCredentialFamilies)[number];

export type UpstreamCredentialsTable = {
  org_id: string;
  family: UpstreamCredentialFamily;
  kind: "oauth2" | "header";
  /** Sealed by the BFF (never a usable secret here). */
  sealed: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type Database = {
  organisations: OrganisationsTable;
  customers: CustomersTable;
  customer_identifiers: CustomerIdentifiersTable;
  profile_attribute_columns: ProfileAttributeColumnsTable;
  customer_profile_attributes: CustomerProfileAttributesTable;
  customer_scores: CustomerScoresTable;
  categories: CategoriesTable;
  customer_categories: CustomerCategoriesTable;
  customer_category_history: CustomerCategoryHistoryTable;
  api_clients: ApiClientsTable;
  api_keys: ApiKeysTable;
  e2e_sessions: E2eSessionsTable;
  customer_linked_profiles: CustomerLinkedProfilesTable;
  import_jobs: ImportJobsTable;
  import_rejects: ImportRejectsTable;
  import_chunks: ImportChunksTable;
  upstream_credentials: UpstreamCredentialsTable;
};

export type Customer = Selectable<CustomersTable>;
export type ApiClient = Selectable<ApiClientsTable>;
