/**
 * What both drivers share about named prepared statements: which SQL texts are prepared, which
 * ones make the prepared ones suspect, the bounded cache of a session's statements, and the
 * error PostgreSQL raises when a prepared statement's result type changed under it.
 *
 * Parsing and planning the same text again on every call is most of what a short look-up
 * costs (docs/performance.md#prepared-statements); a statement prepared once per session and
 * then only bound and executed skips the parsing, and PostgreSQL's plan cache may skip the
 * planning too. PostgreSQL revalidates a prepared statement's plan after any schema change, so
 * no result is ever stale; only a change of the statement's result columns is refused, and is
 * handled by preparing the statement again.
 */

/** Statements prepared per SQL text and session when nothing else is said. */
export const DEFAULT_PREPARED_STATEMENTS = 256;

/**
 * Longer texts are not prepared: they are bulk writes (an import batch's rows in one statement),
 * whose parsing is spread over their rows, and whose cached plans would hold memory for nothing.
 */
export const MAX_PREPARED_TEXT = 8192;

/** One data-manipulation statement (every Kysely query, every sql`` look-up of the store). */
const PREPARABLE = /^\s*(select|insert|update|delete|with|values)\b/i;
/** Statements that cannot change the schema: transaction control, session settings, EXPLAIN, ANALYZE, SQL-level PREPARE/EXECUTE. */
const SCHEMA_NEUTRAL = /^\s*(begin|start|commit|end|rollback|abort|savepoint|release|set|reset|show|lock|listen|unlisten|notify|prepare|execute|deallocate|discard|explain|analyze)\b/i;

/**
 * Whether a text is prepared: a single data-manipulation statement of at most MAX_PREPARED_TEXT
 * characters. Anything else — scripts of several statements (a `;` followed by more text, even
 * inside a string literal: when in doubt, not prepared), DDL, transaction control, settings, bulk
 * writes — takes the unprepared path it always took.
 */
export function isPreparable(text: string): boolean {
  return text.length <= MAX_PREPARED_TEXT && PREPARABLE.test(text) && !/;\s*\S/.test(text);
}

/** Whether a statement run unprepared may have changed the schema, so the session's prepared statements are dropped. */
export function mayChangeSchema(text: string): boolean {
  if (SCHEMA_NEUTRAL.test(text)) return false;
  return !PREPARABLE.test(text) || /;\s*\S/.test(text);
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was
 * prepared (SQLSTATE 0A000, "cached plan must not change result type"), e.g. `select *` after
 * a column was added. Preparing the text again answers it.
 */
export function isResultTypeChange(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "0A000" && typeof message === "string" && message.includes("cached plan must not change result type");
}

/**
 * A session's prepared statements by SQL text, least recently used first, holding at most
 * `capacity`: whoever adds one makes room first and deallocates what left.
 */
export class StatementCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The statement for this text, now the most recently used. */
  get(text: string): T | undefined {
    const entry = this.entries.get(text);
    if (entry !== undefined) {
      this.entries.delete(text);
      this.entries.set(text, entry);
    }
    return entry;
  }

  /** Removes the least recently used statements until one more fits; returns them. */
  makeRoom(): T[] {
    const evicted: T[] = [];
    for (const [text, entry] of this.entries) {
      if (this.entries.size < this.capacity) break;
      this.entries.delete(text);
      evicted.push(entry);
    }
    return evicted;
  }

  set(text: string, entry: T): void {
    this.entries.set(text, entry);
  }

  delete(text: string): T | undefined {
    const entry = this.entries.get(text);
    this.entries.delete(text);
    return entry;
  }

  /** Forgets every statement; returns them. */
  clear(): T[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    return all;
  }
}
