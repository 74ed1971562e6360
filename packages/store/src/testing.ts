import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import { openConnection, type ConnectionOptions, type StoreConnection } from "./connection.js";
import { loadDemoDataIfEmpty } from "./demo-data.js";
import { createIdentifierHasher } from "./identifier-hasher.js";
import type { ReadCache, ReadCacheOptions } from "./read-cache.js";
import type { Database } from "./schema.js";
import { readCacheOf, storeOver, type Store } from "./store.js";

/**
 * Test helpers (exported as `@insights/store/testing`): real stores, never mocks.
 * PGlite stores are cloned from one migrated template (~0.7 s instead of ~3.5 s): the file
 * vitest.pglite-template.ts wrote for the package's whole run when the test setup named it
 * (usePgliteTemplateFile), else one built per process. PostgreSQL stores live in a schema of their own that close() drops.
 */

/** How an identifier is stored (a keyed hash for documents and cards): for tools that write rows as the tables hold them. */
export { storedIdentifierValue } from "./customers.js";
export { createIdentifierHasher } from "./identifier-hasher.js";

export const TEST_HASH_SECRET = Buffer.alloc(32, 7);
export const testHasher = createIdentifierHasher(TEST_HASH_SECRET);

let template: Promise<Blob> | undefined;

let templateFile: string | undefined;

/** Builds the template (migrated, with the demo data) and writes it to `path`, for the test processes of a run to share. */
export async function writePgliteTemplate(path: string): Promise<void> {
  await writeFile(path, Buffer.from(await (await buildTemplate()).arrayBuffer()));
}

/** PGlite test stores of this process are cloned from the template writePgliteTemplate wrote to `path`. */
export function usePgliteTemplateFile(path: string): void {
  templateFile = path;
}

async function loadTemplate(): Promise<Blob> {
  return templateFile ? new Blob([await readFile(templateFile)]) : buildTemplate();
}

async function buildTemplate(): Promise<Blob> {
  const connection = await openConnection({ kind: "pglite" });
  await connection.migrate();
  await loadDemoDataIfEmpty(connection.db, testHasher);
  const dump = await connection.dumpDataDir();
  await connection.close();
  return dump;
}

/**
 * A store opened by a test: the Store apps get, plus the query builder underneath, for a test to
 * set up or inspect rows no domain operation covers. Apps never see `db`.
 */
export type TestStore = Store & { readonly db: Kysely<Database>; readonly readCache: ReadCache | undefined };

/** How each test store can be opened again over the same data (see openTwinStore). */
const twins = new WeakMap<Store, (options: TestStoreOptions) => Promise<TestStore>>();

async function testStoreOver(connection: StoreConnection, options: TestStoreOptions): Promise<TestStore> {
  const readCache = readCacheOf(options.readCache);
  const store = await storeOver(connection, testHasher, readCache, { hearChanges: options.hearChanges ?? true, onIgnoredChange: options.onIgnoredChange });
  return { ...store, db: connection.db, readCache };
}

/** A test store over any database (not migrated here): a data directory a test wants to inspect, an unreachable server… */
export async function openTestStoreOn(options: ConnectionOptions): Promise<TestStore> {
  return testStoreOver(await openConnection(options), {});
}

/** A migrated PGlite store holding the demo data (hashed with TEST_HASH_SECRET). */
export async function openPgliteTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  template ??= loadTemplate();
  const store = await testStoreOver(await openConnection({ kind: "pglite", loadDataDir: await template, ...connectionOptions(options) }), options);
  twins.set(store, openPgliteTestStore);
  return store;
}

/** A migrated PostgreSQL store with the demo data, in a fresh schema dropped on close(). */
export async function openPostgresTestStore(connectionString: string, options: TestStoreOptions = {}): Promise<TestStore> {
  const schema = `test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const connection = await openConnection({ kind: "postgres", connectionString, schema, ...connectionOptions(options) });
  await connection.migrate();
  await loadDemoDataIfEmpty(connection.db, testHasher);
  const store = await testStoreOver(connection, options);
  const tested: TestStore = {
    ...store,
    close: async () => {
      await store.close();
      const cleanup = new pg.Client({ connectionString });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
  twins.set(tested, async (twinOptions) =>
    testStoreOver(await openConnection({ kind: "postgres", connectionString, schema, ...connectionOptions(twinOptions) }), twinOptions),
  );
  return tested;
}

function connectionOptions(options: TestStoreOptions): Pick<ConnectionOptions, "statementTimeoutMs" | "preparedStatements"> {
  return {
    ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    ...(options.preparedStatements !== undefined ? { preparedStatements: options.preparedStatements } : {}),
  };
}

/**
 * Another store over the same data as a test store, opened with other options (say, without
 * prepared statements): PGlite, a clone of the same template (the same data as long as neither
 * wrote); PostgreSQL, the same schema (close the twin before the original drops it).
 */
export function openTwinStore(store: Store, options: TestStoreOptions = {}): Promise<TestStore> {
  const open = twins.get(store);
  if (!open) throw new Error("not a test store");
  return open(options);
}

export type TestStoreOptions = {
  statementTimeoutMs?: number;
  preparedStatements?: number;
  readCache?: ReadCacheOptions;
  /** false: the cache does not listen for the database's change notifications (see storeOver). */
  hearChanges?: boolean;
  /** Hears of each change notification dropped as naming no scope of ours. */
  onIgnoredChange?: () => void;
};
export type TestStoreVariant = { name: "pglite" | "postgres"; skipReason?: string; open: (options?: TestStoreOptions) => Promise<TestStore> };

/**
 * The stores a store-level test runs against: PGlite always, PostgreSQL when a URL is given.
 * Without one, the PostgreSQL variant is reported (once) as skipped rather than silently absent.
 */
export function testStoreVariants(databaseUrl: string | undefined): TestStoreVariant[] {
  const postgres: TestStoreVariant = databaseUrl
    ? { name: "postgres", open: (options) => openPostgresTestStore(databaseUrl, options) }
    : { name: "postgres", skipReason: "DATABASE_URL is unset", open: () => Promise.reject(new Error("DATABASE_URL is unset")) };
  if (!databaseUrl) announceSkip("PostgreSQL", "DATABASE_URL");
  return [{ name: "pglite", open: openPgliteTestStore }, postgres];
}

const announced = new Set<string>();
/**
 * Says (once per process) that a family of tests is skipped and why: on stderr, and as a line
 * of `.vitest/skipped.ndjson` in the package, which `npm test` prints beside its summary.
 */
export function reportSkip(what: string, reason: string): void {
  if (announced.has(what)) return;
  announced.add(what);
  process.stderr.write(`\n[skipped] ${what} tests: ${reason}\n`);
  mkdirSync(".vitest", { recursive: true });
  appendFileSync(join(".vitest", "skipped.ndjson"), `${JSON.stringify({ what, reason })}\n`);
}

/** The same, for tests that need a service named by an environment variable. */
export function announceSkip(what: string, variable: string): void {
  reportSkip(what, `${variable} is unset`);
}
