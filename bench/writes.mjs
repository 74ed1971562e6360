// npm run bench -- writes [--postgres postgres://…] [--seconds 5]: how many PATCHes of one customer
// category (the row the bench's HTTP write scenario changes) the store itself completes per second,
// without HTTP, from 1 and from 10 concurrent callers; with --postgres also on PostgreSQL, beside
// the floor the database and its disk set: a bare one-row UPDATE, each its own transaction, from
// the same callers (see bench/README.md).
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { postgres: { type: "string" }, seconds: { type: "string", default: "5" } } });
const milliseconds = Number(values.seconds) * 1000;
const root = new URL("..", import.meta.url).pathname;
const testing = await import(join(root, "packages/store/dist/testing.js"));
const { default: pg } = await import(join(root, "packages/store/node_modules/pg/esm/index.mjs"));

/** Calls per second of `write` from `callers` concurrent loops over `milliseconds`. */
async function rate(callers, write) {
  let calls = 0;
  const started = performance.now();
  // The clock, not a timer: PGlite's answers come as promises alone, so a timer would never fire.
  const until = started + milliseconds;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) await write(calls++);
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}

/** The bench's PATCH: the values alternate, so every call changes the row and writes its history entry. */
const patch = (store) => async (n) => {
  const result = await store.patchCustomerCategory("telco", "123e4567-e89b-12d3-a456-556642440000", 214748364, { value: n % 2 ? "employee" : "influencer" }, "bench");
  if (result.outcome !== "done") throw new Error(`PATCH: ${result.outcome}`);
};

async function measure(name, open) {
  const store = await open();
  try {
    await rate(10, patch(store)); // warm-up
    for (const callers of [1, 10]) console.log(`${name}, store PATCH of one row, ${callers} caller(s): ${(await rate(callers, patch(store))).toFixed(0)} per second`);
  } finally {
    await store.close();
  }
}

console.log(`node ${process.version}; ${values.seconds} s per figure, no read cache, no HTTP`);
await measure("embedded PGlite", () => testing.openPgliteTestStore());
if (values.postgres) {
  await measure("PostgreSQL", () => testing.openPostgresTestStore(values.postgres));
  const pool = new pg.Pool({ connectionString: values.postgres, max: 10 });
  const table = `bench_one_row_${process.pid}`;
  await pool.query(`create table ${table} (id int primary key, value text)`);
  try {
    await pool.query(`insert into ${table} values (1, 'a')`);
    const update = () => pool.query({ name: "one-row", text: `update ${table} set value = case value when 'a' then 'b' else 'a' end where id = 1` });
    await rate(10, update); // warm-up
    for (const callers of [1, 10]) console.log(`PostgreSQL, bare one-row UPDATE, ${callers} caller(s): ${(await rate(callers, update)).toFixed(0)} per second`);
  } finally {
    await pool.query(`drop table ${table}`);
    await pool.end();
  }
} else {
  process.stderr.write("no --postgres: PostgreSQL figures skipped\n");
}
