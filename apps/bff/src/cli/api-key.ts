import { parseArgs } from "node:util";
import { createApiKey, loadDemoDataIfEmpty, loadIdentifierHasher, openConfiguredStore } from "@insights/store";
import { loadConfig } from "../config.js";

const usage = `Usage: npm run -s api-key -- --org <organisation> --label <text>

Creates an API key for an organisation (the IMIconnect "key" header) in the configured store
(DATABASE_URL, else the embedded store in DATA_DIR) and prints it once, alone on stdout.
Only its keyed hash is stored: a lost key cannot be shown again, only replaced.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { org: { type: "string" }, label: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!values.org || !values.label) throw new Error("--org and --label are required");
  const config = loadConfig();
  const store = await openConfiguredStore({
    databaseUrl: config.database.url,
    dataDir: config.dataDir,
    poolMax: 1,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    const hasher = await loadIdentifierHasher(config.identifierHashKey, config.dataDir);
    // As the BFF does at start, so a fresh embedded store has its organisations.
    if (config.loadDemoData) await loadDemoDataIfEmpty(store.db, hasher);
    const org = await store.db.selectFrom("organisations").select("id").where("id", "=", values.org).executeTakeFirst();
    if (!org) throw new Error(`no organisation "${values.org}" in the store`);
    const { id, key } = await createApiKey(store.db, hasher, values.org, values.label);
    console.error(`created API key ${id} for organisation ${values.org}`);
    console.log(key);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(`\n${usage}`);
  process.exit(2);
});
