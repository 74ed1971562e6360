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
import { PGliteStatements } from "./pglite-statements.js";
import { DEFAULT_PREPARED_STATEMENTS, isPreparable, mayChangeSchema } from "./prepared-statements.js";

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
  /**
   * How many SQL texts the session keeps as named prepared statements (least recently used
   * leave first); 0 prepares nothing, every statement is parsed and planned on each call as
   * `PGlite.query` does. Default DEFAULT_PREPARED_STATEMENTS.
   */
  preparedStatements?: number;
};

/**
 * Kysely over an in-process PGlite. PGlite is a single session, so each acquired connection
 * holds a mutex until released: a transaction never interleaves with another request's queries.
 */
export class PGliteDialect implements Dialect {
  private readonly statements: PGliteStatements | undefined;

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: Mutex,
    private readonly options: PGliteDialectOptions = {},
  ) {
    const capacity = options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS;
    this.statements = capacity > 0 ? PGliteStatements.of(pglite, capacity) : undefined;
  }

  /** Drops the session's prepared statements: the schema changed behind the dialect (migrations). */
  forgetPreparedStatements(): void {
    this.statements?.forgetAll();
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.lock, this.options.statementTimeoutMs, this.statements);
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
    private readonly statements: PGliteStatements | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.pglite.closed) throw storeError("the embedded store is closed", "08003");
    const running = this.run<R>(query.sql, query.parameters);
    this.pending = running.catch(() => undefined);
    const result = await withTimeout(running, this.statementTimeoutMs);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  /** Prepared when it can be; otherwise PGlite's own path (parse, plan, run), after which a possible schema change drops the prepared statements. */
  private run<R>(text: string, parameters: readonly unknown[]) {
    if (!this.statements) return this.pglite.query<R>(text, [...parameters]);
    if (isPreparable(text)) return this.statements.query<R>(text, parameters);
    if (mayChangeSchema(text)) this.statements.forgetAll();
    return this.pglite.query<R>(text, [...parameters]);
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
    private readonly statements: PGliteStatements | undefined,
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
    return new PGliteConnection(this.pglite, release, this.statementTimeoutMs, this.statements);
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
