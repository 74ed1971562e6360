// npm run bench -- queries [--postgres postgres://…] [--rounds 9] [--calls 300]: what one call of each
// family's store look-up costs with and without named prepared statements, on the same data, in one
// process, rounds alternating between the two so that a busy machine weighs on both alike; then
// EXPLAIN ANALYZE of the scoring look-up, planned afresh on each call and prepared (see bench/README.md).
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { postgres: { type: "string" }, rounds: { type: "string", default: "9" }, calls: { type: "string", default: "300" } } });
const rounds = Number(values.rounds);
const calls = Number(values.calls);
const root = new URL("..", import.meta.url).pathname;
const testing = await import(join(root, "packages/store/dist/testing.js"));
const { sql } = await import(join(root, "packages/store/node_modules/kysely/dist/esm/index.js"));
// The scoring look-up's own module, to run it on one pooled connection whose prepared statements EXPLAIN then reads.
const { lookupScoringSubject } = await import(join(root, "packages/store/dist/scores.js"));

// The store's domain operations, without the read cache: every call is a round trip.
const lookups = [
  ["CAMARA scoring look-up", (store) => store.lookupScoringSubject({ orgId: "telco", phoneNumber: "+34600000001", idDocument: undefined })],
  ["Citibanamex segment look-up", (store) => store.lookupSegment({ orgId: "telco", customerId: "321116471234", cardNumber: undefined })],
  ["MasStack customer categories", (store) => store.listCustomerCategories("telco", "123e4567-e89b-12d3-a456-556642440000")],
  ["IMIconnect profile (level 2)", (store) => store.loadProfiles("telco", ["4545"], 2)],
  ["API key authentication", (store) => store.authenticateApiKey("demo-telco-profile-key")],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

/** Microseconds per call of `lookup`, `calls` calls in a row. */
async function timeCalls(store, lookup) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await lookup(store);
  return ((performance.now() - started) * 1000) / calls;
}

async function compare(name, prepared, unprepared) {
  console.log(`\n${name}: µs per call, ${calls} calls in a row, median of ${rounds} alternating rounds (min–max)\n`);
  console.log("look-up".padEnd(32) + "unprepared".padStart(18) + "prepared".padStart(18) + "ratio".padStart(8));
  for (const [title, lookup] of lookups) {
    for (const store of [prepared, unprepared]) await timeCalls(store, lookup); // warm-up: JIT, caches, plan choice
    const with_ = [];
    const without = [];
    for (let round = 0; round < rounds; round++) {
      without.push(await timeCalls(unprepared, lookup));
      with_.push(await timeCalls(prepared, lookup));
    }
    const [a, b] = [median(without), median(with_)];
    console.log(title.padEnd(32) + `${a.toFixed(0)} (${spread(without)})`.padStart(18) + `${b.toFixed(0)} (${spread(with_)})`.padStart(18) + `${(a / b).toFixed(2)}×`.padStart(8));
  }
}

/** EXPLAIN ANALYZE of the scoring look-up's own text (read back from pg_prepared_statements), with PREPARE/EXECUTE. */
async function explainScoring(name, db) {
  await db.connection().execute(async (conn) => {
    await lookupScoringSubject(conn, testing.testHasher, { orgId: "telco", phoneNumber: "+34600000001", idDocument: undefined });
    const { rows } = await sql`select statement from pg_prepared_statements where statement like '%json_object_agg%'`.execute(conn);
    const text = rows[0].statement;
    const args = "('telco', '+34600000001', 'telco', null)";
    const explain = async (statement) => {
      const { rows: plan } = await sql.raw(`explain (analyze, format json) execute ${statement}${args}`).execute(conn);
      const [{ "Planning Time": planning, "Execution Time": execution }] = plan[0]["QUERY PLAN"];
      return { planning, execution };
    };
    const fresh = [];
    for (let i = 0; i < 50; i++) {
      await sql.raw(`prepare fresh_${i} as ${text}`).execute(conn);
      fresh.push(await explain(`fresh_${i}`));
      await sql.raw(`deallocate fresh_${i}`).execute(conn);
    }
    await sql.raw(`prepare steady as ${text}`).execute(conn);
    for (let i = 0; i < 10; i++) await explain("steady");
    const steady = [];
    for (let i = 0; i < 50; i++) steady.push(await explain("steady"));
    const { rows: plans } = await sql`select generic_plans, custom_plans from pg_prepared_statements where name = 'steady'`.execute(conn);
    await sql`deallocate steady`.execute(conn);
    const ms = (xs, key) => `${median(xs.map((x) => x[key])).toFixed(3)} ms (${Math.min(...xs.map((x) => x[key])).toFixed(3)}–${Math.max(...xs.map((x) => x[key])).toFixed(3)})`;
    console.log(`\n${name}: EXPLAIN ANALYZE of the scoring look-up, median of 50 (min–max)`);
    console.log(`  planned afresh each call: planning ${ms(fresh, "planning")}, execution ${ms(fresh, "execution")}`);
    console.log(`  prepared (after 10 runs): planning ${ms(steady, "planning")}, execution ${ms(steady, "execution")}; plan cache: ${plans[0].generic_plans} generic, ${plans[0].custom_plans} custom`);
  });
}

const engines = [["embedded PGlite", () => testing.openPgliteTestStore()]];
if (values.postgres) engines.push(["PostgreSQL", () => testing.openPostgresTestStore(values.postgres)]);
console.log(`node ${process.version}`);
for (const [name, open] of engines) {
  const prepared = await open();
  const unprepared = await testing.openTwinStore(prepared, { preparedStatements: 0 });
  try {
    await compare(name, prepared, unprepared);
    await explainScoring(name, prepared.db);
  } finally {
    await unprepared.close();
    await prepared.close();
  }
}
