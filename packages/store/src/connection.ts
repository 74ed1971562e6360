import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql, type KyselyConfig } from "kysely";
import pg from "pg";
import { applyMigrations, type InTransaction } from "./migrate.js";
import { Mutex } from "./mutex.js";
import { preparingPool } from "./pg-statements.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { DEFAULT_PREPARED_STATEMENTS } from "./prepared-statements.js";
import type { Database } from "./schema.js";

const DATE_OID = 1082;
const INT8_OID = 20;

/** What both engines take: named prepared statements (docs/performance.md#prepared-statements), and who hears how long each query took. */
type CommonConnectionOptions = {
  /** SQL texts kept prepared per session or connection (default DEFAULT_PREPARED_STATEMENTS); 0 prepares nothing. */
  preparedStatements?: number;
  /** Called after every query (failed ones too) with its kind (`select`, `insert`, `update`, `delete`, `other`) and duration. */
  observeQuery?: QueryObserver;
};

export type QueryObserver = (kind: "select" | "insert" | "update" | "delete" | "other", seconds: number) => void;

const QUERY_KINDS = new Set(["select", "insert", "update", "delete"]);

/** Kysely's log hook, reporting each query's kind (never its text or parameters) and duration. */
function queryLog(observe: QueryObserver | undefined): KyselyConfig["log"] {
  if (!observe) return undefined;
  return (event) => {
    const word = /^\s*(\w+)/.exec(event.query.sql)?.[1]?.toLowerCase() ?? "";
    observe((QUERY_KINDS.has(word) ? word : "other") as Parameters<QueryObserver>[0], event.queryDurationMillis / 1000);
  };
}

export type ConnectionOptions =
  | (CommonConnectionOptions & {
      kind: "pglite";
      /** Where PGlite persists; omit for a purely in-memory database. */
      dataDir?: string;
      /** A `dumpDataDir()` tarball to start from (tests clone a migrated template this way). */
      loadDataDir?: Blob;
      /** Enforced by the driver (PGlite has no statement_timeout): see PGliteDialectOptions. */
      statementTimeoutMs?: number;
      /** PostgreSQL's page cache inside PGlite's WebAssembly memory (default PGLITE_SHARED_BUFFERS). */
      sharedBuffers?: string;
    })
  | (CommonConnectionOptions & {
      kind: "postgres";
      connectionString: string;
      poolMax?: number;
      /** Statements running longer are cancelled by the server (SQLSTATE 57014). */
      statementTimeoutMs?: number;
      /** Schema to work in (tests isolate themselves in a schema of their own). */
      schema?: string;
      onPoolError?: (error: Error) => void;
    });

/**
 * The database underneath the Store: the query builder and the life cycle. Only the store
 * package's own modules (and tests) work with it; apps get the Store's domain operations.
 */
export type StoreConnection = {
  readonly kind: "pglite" | "postgres";
  readonly db: Kysely<Database>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Applies pending migrations; returns their names. */
  migrate(): Promise<string[]>;
  /** PGlite only: the whole data directory as a tarball. */
  dumpDataDir(): Promise<Blob>;
  /** PostgreSQL only: a new client with the pool's settings, outside the pool (LISTEN needs a connection of its own). */
  dedicatedClient?(): pg.Client;
  /** PGlite only: how long its one session has been free with no one waiting (0 while in use). */
  idleMs?(): number;
  /** PGlite only: calls `onPayload` with each notification on the channel; resolves to what stops it. */
  listenInProcess?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

/** Opens the database: PGlite in-process, or PostgreSQL through a pool. Same schema, same queries. */
export async function openConnection(options: ConnectionOptions): Promise<StoreConnection> {
  return options.kind === "pglite" ? openPGlite(options) : openPostgres(options);
}

/**
 * PGlite's shared_buffers: 64 MB, not PostgreSQL's 128 MB. The buffer pool lives in PGlite's
 * WebAssembly memory, which is resident once touched and never shrinks; at 128 MB that memory
 * grows past its initial 128 MB to 188 MB and a process holding the store peaks about 125 MB
 * higher. Measured on the embedded import of 200,000 customers (docs/performance.md#imports):
 * peak RSS 543 MB at 128 MB, 418 MB at 64 MB (6% slower), 389 MB at 32 MB (20% slower: every
 * page evicted is written through PGlite's file system, in JavaScript).
 */
export const PGLITE_SHARED_BUFFERS = "64MB";

/**
 * PGlite runs PostgreSQL in this process, on the thread that serves requests: what it does in
 * one statement, every request waits for. A new 16 MB WAL segment is zero-filled by default,
 * through PGlite's file system in JavaScript: 80-135 ms inside whichever statement crosses the
 * boundary (measured: 600 inserts of 200 rows, p99 7-13 ms, max 83-136 ms; with wal_init_zero=off
 * max 10-14 ms). Not zeroing is safe (recovery ends WAL by its records' checks), and PGlite runs
 * with fsync off anyway. docs/decisions.md#an-import-beside-requests-on-one-thread-time-slices-not-a-worker-thread
 */
const PGLITE_SETTINGS = ["-c", "wal_init_zero=off"];

async function openPGlite(options: Extract<ConnectionOptions, { kind: "pglite" }>): Promise<StoreConnection> {
  // Dates stay `YYYY-MM-DD` text and int8 stays text, exactly as node-postgres returns them below.
  const parsers = { [DATE_OID]: (value: string) => value, [INT8_OID]: (value: string) => value };
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS, "-c", `shared_buffers=${options.sharedBuffers ?? PGLITE_SHARED_BUFFERS}`],
  });
  const lock = new Mutex();
  const dialect = new PGliteDialect(pglite, lock, {
    ...(options.statementTimeoutMs ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    preparedStatements: options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS,
  });
  const db = new Kysely<Database>({ dialect, log: queryLog(options.observeQuery) });
  const inTransaction: InTransaction = async (work) => {
    const release = await lock.acquire();
    try {
      return await pglite.transaction((tx) =>
        work({
          query: (text, params) => tx.query<Record<string, unknown>>(text, params),
          exec: async (script) => void (await tx.exec(script)),
        }),
      );
    } finally {
      release();
    }
  };
  return {
    kind: "pglite",
    db,
    ping: () => sql`select 1`.execute(db).then(() => undefined),
    migrate: async () => {
      const applied = await applyMigrations(inTransaction);
      // Migrations run beside the dialect: statements prepared before may describe the old schema.
      if (applied.length > 0) dialect.forgetPreparedStatements();
      return applied;
    },
    dumpDataDir: () => pglite.dumpDataDir("gzip"),
    idleMs: () => lock.idleMs(),
    listenInProcess: async (channel, onPayload) => {
      const release = await lock.acquire();
      try {
        return await pglite.listen(channel, onPayload);
      } finally {
        release();
      }
    },
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

async function openPostgres(options: Extract<ConnectionOptions, { kind: "postgres" }>): Promise<StoreConnection> {
  const typeParsers = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    types: typeParsers,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on("error", (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: preparingPool(pool, options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS) }),
    log: queryLog(options.observeQuery),
  });
  const inTransaction: InTransaction = async (work) => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const result = await work({
        query: (text, params) => client.query(text, params),
        exec: async (script) => void (await client.query(script)),
      });
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    kind: "postgres",
    db,
    ping: () => sql`select 1`.execute(db).then(() => undefined),
    migrate: () => applyMigrations(inTransaction),
    dumpDataDir: () => Promise.reject(new Error("dumpDataDir is a PGlite feature")),
    dedicatedClient: () =>
      new pg.Client({
        connectionString: options.connectionString,
        types: typeParsers,
        keepAlive: true,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      }),
    close: () => db.destroy(),
  };
}
