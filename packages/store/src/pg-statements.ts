import { createHash } from "node:crypto";
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { isPreparable, isResultTypeChange, mayChangeSchema, StatementCache } from "./prepared-statements.js";

/** What node-postgres knows of the statements it parsed on a connection (`Connection.parsedStatements`, not typed). */
type ParsedStatements = Record<string, string | undefined>;

/** The name of a SQL text's statement: the same on every connection, within PostgreSQL's 63 characters. */
function statementName(text: string): string {
  return `q_${createHash("sha1").update(text).digest("hex")}`;
}

/**
 * A pg client whose preparable statements run as named prepared statements (node-postgres's
 * `{ name, text, values }`: parsed on the first call, then only bound and executed), at most
 * `capacity` per connection. node-postgres never deallocates a statement; this does, for those
 * that leave the cache and those a schema change may have outdated, with DEALLOCATE once the
 * connection is not in a failed transaction (DEALLOCATE is not transactional).
 */
class PreparingClient {
  private readonly cache: StatementCache<string>;
  /** Statements to deallocate before the next prepared one runs. */
  private toDeallocate: string[] = [];

  constructor(
    private readonly client: pg.PoolClient,
    capacity: number,
  ) {
    this.cache = new StatementCache(capacity);
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== "string") return this.client.query(sqlOrCursor as unknown as pg.Submittable) as unknown as PostgresCursor<R>;
    const values = [...(parameters ?? [])];
    if (isPreparable(sqlOrCursor)) return this.prepared<R>(sqlOrCursor, values);
    if (mayChangeSchema(sqlOrCursor)) this.forgetAll();
    return this.unprepared<R>(sqlOrCursor, values);
  }

  release(): void {
    this.client.release();
  }

  private unprepared<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    return this.client.query(text, values) as unknown as Promise<PostgresQueryResult<R>>;
  }

  private async prepared<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    try {
      return await this.run<R>(text, values);
    } catch (error) {
      if (!isResultTypeChange(error)) throw error;
      this.forget(text);
      // Inside a transaction block the error has aborted it: nothing can be retried there.
      if (this.client.getTransactionStatus() !== "I") throw error;
      return await this.run<R>(text, values);
    }
  }

  private async run<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    let name = this.cache.get(text);
    if (name === undefined) {
      this.toDeallocate.push(...this.cache.makeRoom());
      this.cache.set(text, (name = statementName(text)));
    }
    // Before the statement, so that the connection never holds more than `capacity` of them.
    if (this.toDeallocate.length > 0) await this.deallocate();
    try {
      return (await this.client.query({ name, text, values })) as unknown as PostgresQueryResult<R>;
    } finally {
      // A Parse that failed left no statement: nothing to deallocate later.
      if (this.parsed()[name] === undefined) this.cache.delete(text);
    }
  }

  private forget(text: string): void {
    const name = this.cache.delete(text);
    if (name !== undefined) this.toDeallocate.push(name);
  }

  private forgetAll(): void {
    this.toDeallocate.push(...this.cache.clear());
  }

  private parsed(): ParsedStatements {
    return (this.client as unknown as { connection: { parsedStatements: ParsedStatements } }).connection.parsedStatements;
  }

  /** One round trip deallocating what is due, unless the transaction has failed (then after it ends). */
  private async deallocate(): Promise<void> {
    if (this.client.getTransactionStatus() === "E") return;
    const parsed = this.parsed();
    // Only what node-postgres saw parsed exists; a name used again meanwhile is parsed anew.
    const names = [...new Set(this.toDeallocate)].filter((name) => parsed[name] !== undefined);
    this.toDeallocate = [];
    if (names.length === 0) return;
    try {
      await this.client.query(names.map((name) => `deallocate "${name}"`).join("; "));
    } catch (error) {
      this.toDeallocate.push(...names);
      throw error;
    }
    for (const name of names) delete parsed[name];
  }
}

/**
 * A pool for Kysely's PostgresDialect whose clients prepare each preparable SQL text once per
 * connection (see PreparingClient); `capacity` 0 hands out the pool's clients untouched.
 */
export function preparingPool(pool: pg.Pool, capacity: number): PostgresPool {
  if (capacity <= 0) return pool as unknown as PostgresPool;
  const clients = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let preparing = clients.get(client);
      if (!preparing) clients.set(client, (preparing = new PreparingClient(client, capacity)));
      return preparing as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
