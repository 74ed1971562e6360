import { PGlite } from "@electric-sql/pglite";
import { Kysely, sql, type CompiledQuery } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/schema.js";
import { customerCategoryHistory, listCatalogue, listCustomerCategories } from "../src/categories.js";
import { findCustomerKeys } from "../src/customer-keys.js";
import { listApiKeys } from "../src/api-keys.js";
import { listOrganisations } from "../src/organisations.js";
import { loadProfiles } from "../src/profiles.js";
import { lookupScoringSubject } from "../src/scores.js";
import { lookupSegment } from "../src/segments.js";
import { type TestStore } from "../src/testing.js";
import { Mutex } from "../src/mutex.js";
import { PGliteDialect } from "../src/pglite-dialect.js";
import { isPreparable, MAX_PREPARED_TEXT, mayChangeSchema } from "../src/prepared-statements.js";
import { openTwinStore, testHasher, testStoreVariants } from "../src/testing.js";

const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const JOB = "7e3f0c2a-1b4d-4c5e-8f60-718293a4b5c6";
const TABLES = [
  "organisations",
  "customers",
  "customer_identifiers",
  "profile_attribute_columns",
  "customer_profile_attributes",
  "customer_scores",
  "categories",
  "customer_categories",
  "customer_category_history",
  "api_clients",
  "api_keys",
  "e2e_sessions",
  "customer_linked_profiles",
  "import_jobs",
  "import_rejects",
  "import_chunks",
] as const satisfies readonly (keyof Database)[];

type Db = Kysely<Database>;

/** Every type the schema uses (and a few the queries compute), as literals and as parameters of each JS kind the store passes. */
const typeMatrix = (db: Db) =>
  sql<Record<string, unknown>>`
    select 'text ü'::text as text_literal, ${"text ü ' \\"}::text as text_param,
           ${LUIS}::uuid as uuid, ${42}::integer as integer, ${-7}::int as negative,
           ${"9007199254740993"}::bigint as bigint, 9007199254740993::bigint as bigint_literal,
           ${true}::boolean as boolean_param, false as boolean_literal,
           ${"1985-03-14"}::date as date, date '2026-02-28' as date_literal,
           ${new Date("2026-11-23T10:00:00.123Z")}::timestamptz as timestamptz, timestamptz '2026-11-23 10:00:00.5+01' as timestamptz_literal,
           ${JSON.stringify({ a: [1, "x", null], b: { c: true } })}::jsonb as jsonb_text, ${{ k: [1, "two"] }}::jsonb as jsonb_object, ${JSON.stringify(["one", null])}::jsonb as jsonb_array,
           json_build_object('k', 1.5, 'n', null) as json, json_object_agg(s.k, s.v) as json_agg,
           ${"12.3400"}::numeric as numeric, avg(s.v) as numeric_avg, count(*) as count_bigint, sum(s.v) as sum_bigint,
           ${["a", "b,c", null, 'd"e']}::text[] as text_array, array[1, 2, null]::integer[] as integer_array, array_agg(s.k order by s.k) as agg_array,
           null::text as null_text, ${null}::integer as null_param, null::jsonb as null_jsonb, null::date as null_date, null::timestamptz as null_timestamptz
    from (values ('gaugeMetric', 600), ('veritasIndex', 4)) as s (k, v)
  `.execute(db);

/** The projection of a database error that callers rely on. */
async function failure(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    const { code, message, detail, constraint, severity, table, column } = error as Record<string, unknown>;
    return { code, message, detail, constraint, severity, table, column, isError: error instanceof Error };
  }
  throw new Error("did not fail");
}

/** Rows in an order independent of how the engine returned them. */
const sorted = (rows: unknown[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** The texts of the statements prepared on this connection. */
const preparedTexts = async (db: Db) => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

/** Runs work on one connection of the store (a pool hands out several). */
const onOneConnection = <T>(db: Db, work: (db: Db) => Promise<T>) => db.connection().execute(work);

describe("which statements are prepared", () => {
  const bulk = `insert into t (a) values ${Array.from({ length: 2000 }, (_, i) => `($${i + 1})`).join(", ")}`;

  it("prepares single data-manipulation statements up to MAX_PREPARED_TEXT characters", () => {
    for (const text of ["select 1", "\n    select * from t where id = $1", "INSERT into t values ($1)", "update t set a = 1", "delete from t", "with x as (select 1) select * from x", "values (1)", "select 1;  "]) {
      expect(isPreparable(text), text).toBe(true);
    }
    expect(bulk.length).toBeGreaterThan(MAX_PREPARED_TEXT);
    for (const text of [bulk, "select 1; drop table t", "begin", "create table t (a int)", "set local lock_timeout = '1s'", "explain select 1", "/* hint */ select 1"]) {
      expect(isPreparable(text), text).toBe(false);
    }
  });

  it("drops the prepared statements after what may change the schema, not after transaction control, settings or bulk writes", () => {
    for (const text of ["create table t (a int)", "alter table t add column b int", "drop table t", "truncate t", "select 1; alter table t add b int", "do $$ begin end $$"]) {
      expect(mayChangeSchema(text), text).toBe(true);
    }
    for (const text of [bulk, "select 1", "begin", "commit", "rollback", "savepoint sp", "set local lock_timeout = '1s'", "explain analyze select 1", "deallocate s1", "analyze customers, customer_identifiers"]) {
      expect(mayChangeSchema(text), text).toBe(false);
    }
  });
});

describe.each(testStoreVariants(process.env.DATABASE_URL))("prepared statements on $name", (variant) => {
  let store: TestStore;
  let unprepared: TestStore;

  beforeAll(async () => {
    if (variant.skipReason) return;
    store = await variant.open();
    unprepared = await openTwinStore(store, { preparedStatements: 0 });
  });
  afterAll(async () => {
    await unprepared?.close();
    await store?.close();
  });

  describe.skipIf(variant.skipReason !== undefined)("", () => {
    /** The same query on the store preparing (twice: prepared, then cached) and on the one that does not. */
    async function expectSameAnswer<T>(query: (db: Db) => Promise<T>): Promise<T> {
      const expected = await query(unprepared.db);
      expect(await query(store.db)).toEqual(expected);
      expect(await query(store.db)).toEqual(expected);
      return expected;
    }

    it("prepares the store's look-ups: the scoring look-up is a named statement of its connection", async () => {
      const texts = await onOneConnection(store.db, async (db) => {
        await lookupScoringSubject(db, testHasher, { orgId: "telco", phoneNumber: "+34600000001", idDocument: undefined });
        return preparedTexts(db);
      });
      expect(texts.some((text) => text.includes("json_object_agg"))).toBe(true);
      const none = await onOneConnection(unprepared.db, async (db) => {
        await lookupScoringSubject(db, testHasher, { orgId: "telco", phoneNumber: "+34600000001", idDocument: undefined });
        return preparedTexts(db);
      });
      expect(none).toEqual([]);
    });

    it("returns every type exactly as without preparation", async () => {
      const { rows } = await expectSameAnswer(typeMatrix);
      expect(rows[0]).toMatchObject({
        text_param: "text ü ' \\",
        uuid: LUIS,
        integer: 42,
        bigint: "9007199254740993",
        boolean_param: true,
        date: "1985-03-14",
        timestamptz: new Date("2026-11-23T10:00:00.123Z"),
        jsonb_text: { a: [1, "x", null], b: { c: true } },
        jsonb_object: { k: [1, "two"] },
        json_agg: { gaugeMetric: 600, veritasIndex: 4 },
        numeric: "12.3400",
        count_bigint: "2",
        text_array: ["a", "b,c", null, 'd"e'],
        integer_array: [1, 2, null],
        null_param: null,
      });
    });

    it("reads every table of the schema exactly as without preparation", async () => {
      for (const table of TABLES) {
        const read = async (db: Db) => sorted(await db.selectFrom(table).selectAll().execute());
        expect(await read(store.db), table).toEqual(await read(unprepared.db));
        expect(await read(store.db), table).toEqual(await read(unprepared.db));
      }
    });

    it("answers the store's queries exactly as without preparation", async () => {
      await expectSameAnswer((db) => lookupScoringSubject(db, testHasher, { orgId: "telco", phoneNumber: "+34600000001", idDocument: "87654321X" }));
      await expectSameAnswer((db) => lookupScoringSubject(db, testHasher, { orgId: "telco", phoneNumber: "+34699999999", idDocument: undefined }));
      await expectSameAnswer((db) => lookupSegment(db, testHasher, { orgId: "telco", customerId: "321116471234", cardNumber: "4969452123456110" }));
      await expectSameAnswer((db) => findCustomerKeys(db, testHasher, "telco", { customerId: LUIS }));
      await expectSameAnswer((db) => findCustomerKeys(db, testHasher, "telco", { kind: "card_number", value: "4969452123456110" }));
      await expectSameAnswer(async (db) => [...(await loadProfiles(db, "telco", ["4545", "2134", "nobody"], 2))]);
      await expectSameAnswer((db) => listCustomerCategories(db, "telco", LUIS_MASSTACK));
      await expectSameAnswer((db) => customerCategoryHistory(db, "telco", LUIS_MASSTACK, { limit: 10 }));
      await expectSameAnswer((db) => listCatalogue(db, "telco"));
      await expectSameAnswer((db) => listApiKeys(db));
      await expectSameAnswer((db) => listOrganisations(db));
    });

    it("writes, counts affected rows and returns inserted rows as without preparation", async () => {
      // PostgreSQL twins share one schema: the row is written once; PGlite twins are two clones, each written.
      const job = (db: Db) =>
        db
          .insertInto("import_jobs")
          .values({ id: JOB, org_id: "telco", dataset: "scores", format: "csv", source: "/x", rows_read: 9007199254740, created_at: new Date("2026-01-01T00:00:00Z"), updated_at: new Date("2026-01-01T00:00:00Z") })
          .returningAll()
          .executeTakeFirstOrThrow();
      const written = await job(store.db);
      if (variant.name === "pglite") expect(await job(unprepared.db)).toEqual(written);
      expect(written).toMatchObject({ rows_read: "9007199254740", checkpoint_line: "0", started_at: null, created_at: new Date("2026-01-01T00:00:00Z") });
      const chunk = (db: Db) => db.insertInto("import_chunks").values({ job_id: JOB, seq: 1, first_line: 1, body: "a,b\n" }).returning(["done", "first_line"]).execute();
      expect(await chunk(store.db)).toEqual([{ done: false, first_line: "1" }]);
      if (variant.name === "pglite") await chunk(unprepared.db);
      await expectSameAnswer((db) => db.updateTable("customers").set({ segment: sql`segment` }).where("org_id", "=", "telco").executeTakeFirst());
      await expectSameAnswer((db) => db.updateTable("import_chunks").set({ done: true }).where("job_id", "=", JOB).executeTakeFirst());
      await expectSameAnswer((db) => db.deleteFrom("import_rejects").where("job_id", "=", JOB).executeTakeFirst());
      await expectSameAnswer((db) => db.selectFrom("import_chunks").select(["done", "seq"]).where("job_id", "=", JOB).execute());
    });

    it("fails with the same SQLSTATE, message and detail as without preparation", async () => {
      const cases: [string, (db: Db) => Promise<unknown>][] = [
        ["23505", (db) => db.insertInto("organisations").values({ id: "telco", name: "again" }).execute()],
        ["23514", (db) => db.updateTable("customer_scores").set({ value: 900 }).where("customer_id", "=", LUIS).where("scale", "=", "gaugeMetric").execute()],
        ["23503", (db) => db.insertInto("customer_scores").values({ customer_id: JOB, scale: "gaugeMetric", value: 600 }).execute()],
        ["23001", (db) => sql`update customer_category_history set reason = ${"x"}`.execute(db)],
        ["22P02", (db) => db.selectFrom("customers").select("id").where("id", "=", "not-a-uuid").execute()],
        ["42703", (db) => sql`select no_such_column from customers where id = ${LUIS}`.execute(db)],
        ["42P01", (db) => sql`select * from no_such_table`.execute(db)],
        ["22012", (db) => sql`select 1 / ${0}::int as n`.execute(db)],
      ];
      for (const [code, run] of cases) {
        const expected = await failure(() => run(unprepared.db));
        expect(expected.code, code).toBe(code);
        // Twice: when the statement is first prepared, and when it is only bound and executed.
        expect(await failure(() => run(store.db)), code).toEqual(expected);
        expect(await failure(() => run(store.db)), code).toEqual(expected);
      }
      // The session goes on: a cached statement still answers after the failures.
      await expectSameAnswer(typeMatrix);
    });

    it("keeps transactions whole: a failed statement aborts the transaction, rollback restores the session", async () => {
      const inTransaction = (db: Db) =>
        failure(() =>
          db.transaction().execute(async (tx) => {
            await tx.updateTable("customers").set({ segment: "77" }).where("id", "=", LUIS).execute();
            await failure(() => tx.insertInto("organisations").values({ id: "telco", name: "again" }).execute());
            await tx.selectFrom("customers").select("segment").where("id", "=", LUIS).execute();
          }),
        );
      const expected = await inTransaction(unprepared.db);
      expect(expected.code).toBe("25P02");
      expect(await inTransaction(store.db)).toEqual(expected);
      const segment = await store.db.selectFrom("customers").select("segment").where("id", "=", LUIS).executeTakeFirstOrThrow();
      expect(segment.segment).toBe("20");
    });

    it("prepares a statement again after the schema changed through the store", async () => {
      await sql`create table prepared_probe (id integer primary key)`.execute(store.db);
      await store.db.insertInto("prepared_probe" as never).values({ id: 1 } as never).execute();
      const all = () => store.db.selectFrom("prepared_probe" as never).selectAll().execute();
      expect(await all()).toEqual([{ id: 1 }]);
      await sql`alter table prepared_probe add column note text not null default 'added'`.execute(store.db);
      expect(await all()).toEqual([{ id: 1, note: "added" }]);
      await sql`drop table prepared_probe`.execute(store.db);
      expect((await failure(all)).code).toBe("42P01");
    });

    it("keeps at most the configured number of statements per connection, deallocating the ones that leave", async () => {
      const small = await openTwinStore(store, { preparedStatements: 3 });
      try {
        const texts = await onOneConnection(small.db, async (db) => {
          for (const n of [1, 2, 3, 4, 5]) expect((await sql<{ n: number }>`select ${sql.lit(n)}::int as n where ${true}`.execute(db)).rows).toEqual([{ n }]);
          const held = await preparedTexts(db);
          // Evicted ones are prepared again when used again.
          expect((await sql`select ${sql.lit(1)}::int as n where ${true}`.execute(db)).rows).toEqual([{ n: 1 }]);
          return held;
        });
        expect(texts).toHaveLength(3);
        expect(texts.filter((text) => text.startsWith("select 4") || text.startsWith("select 5"))).toHaveLength(2);
        expect(texts.some((text) => text.includes("pg_prepared_statements"))).toBe(true);
      } finally {
        await small.close();
      }
    });

    // PostgreSQL only: it needs a second connection, and PGlite has one.
    if (variant.name === "postgres") it("prepares again when another connection changed the result type, and retries outside a transaction", async () => {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
      await sql`create table prepared_behind (id integer primary key)`.execute(store.db);
      await sql`insert into prepared_behind values (1)`.execute(store.db);
      const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await other.connect();
      try {
        await other.query(`set search_path = ${rows[0]!.schema}`);
        await onOneConnection(store.db, async (db) => {
          const all = (on: Db = db) => on.selectFrom("prepared_behind" as never).selectAll().execute();
          expect(await all()).toEqual([{ id: 1 }]);
          await other.query("alter table prepared_behind add column note text not null default 'added'");
          expect(await all()).toEqual([{ id: 1, note: "added" }]);
          // Inside a transaction the change surfaces once (the transaction is aborted), then is prepared again.
          await other.query("alter table prepared_behind add column more integer");
          expect((await failure(() => db.transaction().execute((tx) => all(tx)))).code).toBe("0A000");
          expect(await db.transaction().execute((tx) => all(tx))).toEqual([{ id: 1, note: "added", more: null }]);
        });
      } finally {
        await other.end();
        await sql`drop table prepared_behind`.execute(store.db);
      }
    });

    // PostgreSQL only: it needs a lock held by another session, and PGlite has one session.
    if (variant.name === "postgres") it("times out on a held lock with SQLSTATE 55P03 as without preparation", async () => {
      const lockedOut = (db: Db) =>
        failure(() =>
          db.transaction().execute(async (tx) => {
            await sql`set local lock_timeout = '50ms'`.execute(tx);
            await tx.selectFrom("customers").select("id").where("id", "=", LUIS).forUpdate().execute();
          }),
        );
      const holder = await store.db.connection().execute(async (db) => {
        await sql`begin`.execute(db);
        try {
          await db.selectFrom("customers").select("id").where("id", "=", LUIS).forUpdate().execute();
          const expected = await lockedOut(unprepared.db);
          expect(expected.code).toBe("55P03");
          expect(await lockedOut(store.db)).toEqual(expected);
          expect(await lockedOut(store.db)).toEqual(expected);
          return expected;
        } finally {
          await sql`rollback`.execute(db);
        }
      });
      expect(holder.code).toBe("55P03");
    });
  });
});

describe("prepared statements on a PGlite whose schema changes behind the dialect", () => {
  let pglite: PGlite;
  let db: Db;

  beforeAll(async () => {
    pglite = await PGlite.create();
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, new Mutex()) });
    await pglite.exec("create table behind (id integer primary key); insert into behind values (1);");
  });
  afterAll(async () => {
    await db.destroy();
    await pglite.close();
  });

  const all = (on: Db = db) => on.selectFrom("behind" as never).selectAll().execute();
  const prepared = async () => (await pglite.query<{ statement: string }>("select statement from pg_prepared_statements")).rows.map((r) => r.statement);

  it("prepares again when the result type changed, and retries outside a transaction", async () => {
    expect(await all()).toEqual([{ id: 1 }]);
    await pglite.exec("alter table behind add column note text not null default 'added'");
    expect(await all()).toEqual([{ id: 1, note: "added" }]);
    // Only the statement prepared again is left: the outdated one was closed.
    expect((await prepared()).filter((text) => text.includes('"behind"'))).toHaveLength(1);
  });

  it("surfaces the change once inside a transaction (aborted, as PostgreSQL does), then prepares again", async () => {
    await pglite.exec("alter table behind add column more integer");
    const inTransaction = db.transaction().execute((tx) => all(tx));
    await expect(inTransaction).rejects.toMatchObject({ code: "0A000" });
    expect(await all()).toEqual([{ id: 1, note: "added", more: null }]);
  });

  it("surfaces a database error as PGlite.query does: the same error, with the query and its parameters", async () => {
    const query: CompiledQuery = sql`select ${"x"}::int as n`.compile(db);
    const direct = await failure(() => pglite.query(query.sql, [...query.parameters]));
    const error = await db.executeQuery(query).catch((e: unknown) => e as Record<string, unknown>);
    expect(error).toMatchObject({ code: direct.code, message: direct.message, query: query.sql, params: ["x"] });
  });
});
