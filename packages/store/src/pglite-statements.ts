import { parse, protocol, type PGlite, type Results } from "@electric-sql/pglite";
import { isResultTypeChange, StatementCache } from "./prepared-statements.js";

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];

type Prepared = {
  name: string;
  /** The parameters' types as PostgreSQL inferred them: how each value is serialised. */
  paramTypes: number[];
  /** The result columns (names and types), absent for a statement that returns no rows. */
  rowDescription: BackendMessage | undefined;
};

const { serialize } = protocol;
const sessions = new WeakMap<PGlite, PGliteStatements>();

function concat(parts: Uint8Array[]): Uint8Array {
  const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

/**
 * The named prepared statements of one PGlite session, by SQL text. A text is parsed and
 * described once (Parse/Describe/Sync); every call then costs one Bind/Execute/Sync round trip,
 * with parameters serialised and rows parsed exactly as `PGlite.query` does (the same
 * serialisers by parameter type, the same `parseResults` with the instance's parsers), and a
 * database error thrown as `PGlite.query` throws it. Statements that leave the bounded cache
 * are closed in the next Parse's round trip.
 *
 * Not locked: the dialect's mutex already gives the session to one caller at a time.
 */
export class PGliteStatements {
  private readonly cache: StatementCache<Prepared>;
  /** Statements to close with the next Parse (forgotten after a schema change). */
  private toClose: string[] = [];
  private counter = 0;

  private constructor(
    private readonly pglite: PGlite,
    capacity: number,
  ) {
    this.cache = new StatementCache(capacity);
  }

  /** The statements of this PGlite session: one set per instance, whichever dialects share it (names must not collide). */
  static of(pglite: PGlite, capacity: number): PGliteStatements {
    let statements = sessions.get(pglite);
    if (!statements) sessions.set(pglite, (statements = new PGliteStatements(pglite, capacity)));
    return statements;
  }

  async query<R>(text: string, params: readonly unknown[]): Promise<Results<R>> {
    try {
      try {
        return await this.execute<R>(this.cache.get(text) ?? (await this.prepare(text)), params);
      } catch (error) {
        if (!isResultTypeChange(error)) throw error;
        this.forget(text);
        // Inside a transaction block the error has aborted it: nothing can be retried there.
        if (this.pglite.isInTransaction()) throw error;
        return await this.execute<R>(await this.prepare(text), params);
      }
    } catch (error) {
      // As PGlite.query reports a database error (makePGliteError).
      if (error instanceof protocol.messages.DatabaseError) Object.assign(error, { query: text, params: [...params], queryOptions: undefined });
      throw error;
    }
  }

  /** Drops every prepared statement (after a statement that may have changed the schema). */
  forgetAll(): void {
    for (const { name } of this.cache.clear()) this.toClose.push(name);
  }

  private forget(text: string): void {
    const prepared = this.cache.delete(text);
    if (prepared) this.toClose.push(prepared.name);
  }

  private async prepare(text: string): Promise<Prepared> {
    const closing = [...this.toClose, ...this.cache.makeRoom().map((p) => p.name)];
    this.toClose = [];
    const name = `s${++this.counter}`;
    // Close is honoured in any transaction state and never fails, so it rides with the Parse.
    const messages = await this.pglite.execProtocolStream(
      concat([
        ...closing.map((closed) => serialize.close({ type: "S", name: closed })),
        serialize.parse({ name, text }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    let paramTypes: number[] = [];
    let rowDescription: BackendMessage | undefined;
    for (const message of messages) {
      if (message instanceof protocol.messages.ParameterDescriptionMessage) paramTypes = message.dataTypeIDs;
      else if (message.name === "rowDescription") rowDescription = message;
    }
    const prepared = { name, paramTypes, rowDescription };
    this.cache.set(text, prepared);
    return prepared;
  }

  private async execute<R>(prepared: Prepared, params: readonly unknown[]): Promise<Results<R>> {
    const { serializers, parsers } = this.pglite;
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = serializers[prepared.paramTypes[i]!];
      return serializer ? serializer(param) : String(param);
    });
    const messages = await this.pglite.execProtocolStream(
      concat([serialize.bind({ statement: prepared.name, values }), serialize.execute(), serialize.sync()]),
    );
    const described = prepared.rowDescription ? [prepared.rowDescription, ...messages] : messages;
    return parse.parseResults(described, parsers)[0] as Results<R>;
  }
}
