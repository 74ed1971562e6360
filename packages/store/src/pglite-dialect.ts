import type { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from "kysely";
import type { Mutex } from "./mutex.js";

/** SQLSTATE-coded failures, so callers treat PGlite like PostgreSQL (see `fromUnknown` in @insights/errors). */
function storeError(message: string, code: "57014" | "08003"): Error {
  return Object.assign(new Error(message), { code });
}

export type PGliteDialectOptions = {
  /**
   * PGlite cannot cancel a statement (`statement_timeout` never fires), so the driver enforces
   * the limit itself: waiting for the session, or for a statement, longer than this fails with
   * SQLSTATE 57014 as PostgreSQL would. The statement itself still runs to its end in the
   * background; the session is released only then.
   */
  statementTimeoutMs?: number;
};

/**
 * Kysely over an in-process PGlite. PGlite is a single session, so each acquired connection
 * holds a mutex until released: a transaction never interleaves with another request's queries.
 */
export class PGliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly lock: Mutex,
    private readonly options: PGliteDialectOptions = {},
  ) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.lock, this.options.statementTimeoutMs);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/** Resolves with `work`, or rejects with a statement timeout after `ms` (work keeps running). */
function withTimeout<T>(work: Promise<T>, ms: number | undefined): Promise<T> {
  if (!ms) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeError("canceling statement due to statement timeout", "57014")), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

class PGliteConnection implements DatabaseConnection {
  /** The statement still running after its caller timed out; release waits for it. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pglite: PGlite,
    private readonly releaseLock: () => void,
    private readonly statementTimeoutMs: number | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.pglite.closed) throw storeError("the embedded store is closed", "08003");
    const running = this.pglite.query<R>(query.sql, [...query.parameters]);
    this.pending = running.catch(() => undefined);
    const result = await withTimeout(running, this.statementTimeoutMs);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  release(): void {
    void this.pending.then(this.releaseLock);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on PGlite");
  }
}

class PGliteDriver implements Driver {
  constructor(
    private readonly pglite: PGlite,
    private readonly lock: Mutex,
    private readonly statementTimeoutMs: number | undefined,
  ) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const acquiring = this.lock.acquire();
    let release: () => void;
    try {
      release = await withTimeout(acquiring, this.statementTimeoutMs);
    } catch (error) {
      // Give the session back as soon as it is ours, since nobody will use it.
      void acquiring.then((r) => r());
      throw error;
    }
    return new PGliteConnection(this.pglite, release, this.statementTimeoutMs);
  }

  async beginTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(connection: DatabaseConnection) {
    (connection as PGliteConnection).release();
  }

  async destroy() {}
}
