import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** A session able to run a multi-statement SQL script, inside one transaction. */
export type ScriptSession = {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  exec(script: string): Promise<void>;
};
export type InTransaction = <T>(work: (session: ScriptSession) => Promise<T>) => Promise<T>;

export const migrationsDir = fileURLToPath(new URL("../migrations/", import.meta.url));

/**
 * Applies every `migrations/NNNN_name.sql` not yet recorded, in name order, in one transaction
 * holding an advisory lock: replicas starting together apply each migration exactly once.
 * Returns the names applied by this call.
 */
export async function applyMigrations(inTransaction: InTransaction, dir = migrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return inTransaction(async (session) => {
    await session.query("select pg_advisory_xact_lock(hashtext('insights-bff:migrations'))");
    await session.exec(
      "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
    const done = new Set((await session.query("select name from schema_migrations")).rows.map((r) => String(r.name)));
    const applied: string[] = [];
    for (const file of files) {
      const name = file.replace(/\.sql$/, "");
      if (done.has(name)) continue;
      await session.exec(await readFile(`${dir}/${file}`, "utf8"));
      await session.query("insert into schema_migrations (name) values ($1)", [name]);
      applied.push(name);
    }
    return applied;
  });
}
