import { parseArgs } from "node:util";
import { openConfiguredStore, ProductionRefusal, type Store } from "@insights/store";
import { z } from "zod";
import { ConfigError, loadStoreConfig } from "../config.js";

const usage = `Usage: npm run -s admin -- <resource> <action> [options]

Onboards organisations and their credentials in the configured store (DATABASE_URL, else the
embedded store in DATA_DIR), without SQL. Works in production.

  org create <id> --name <name>          an organisation (id: lower-case letters, digits, '-')
  org list
  client create <client_id> --org <org> --name <name> --countries MX[,…] --business-codes BCNMX[,…] --channels MOBILE[,…]
                                         a Citibanamex API client and what it may use
  client list [--org <org>]
  api-key create --org <org> --label <text>
                                         an IMIconnect API key, printed once, alone on stdout
  api-key list [--org <org>]             ids and labels (never a key)
  api-key revoke <id>                    refused from then on (by every BFF process within READ_CACHE_TTL_MS at most)

Lists are tab-separated, with a header line. Exit 0 done, 2 refused (bad arguments, unknown
organisation, an id already taken).`;

class Refusal extends Error {
  override name = "Refusal";
}

const OrgIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "an organisation id is 1 to 63 lower-case letters, digits or '-', starting with a letter or digit");
const ClientIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "a client id is 1 to 64 letters, digits, '.', '_' or '-'");
const NameSchema = z.string().trim().min(1, "a name is required").max(200);
/** A comma-separated option whose every item must match (an empty item is refused, not dropped). */
const listOf = (item: z.ZodString) =>
  z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(item).min(1));
const countryList = listOf(z.string().regex(/^[A-Z]{2}$/, "countries are ISO 3166 alpha-2 codes, e.g. MX"));
const codeList = (what: string) => listOf(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, `${what} are 1 to 32 letters, digits, '-' or '_'`));
const KeyIdSchema = z.string().uuid("an API key id is a UUID (see api-key list)");

/** Parses one value with its schema; a failure is a refusal naming the option. */
function valid<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, option: string): T {
  if (value === undefined) throw new Refusal(`${option} is required`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Refusal(`${option}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

type Values = Record<string, string | boolean | undefined>;

function table(header: string[], rows: string[][]): void {
  for (const row of [header, ...rows]) console.log(row.join("\t"));
}

async function requireOrganisation(store: Store, org: string): Promise<void> {
  if (!(await store.organisationExists(org))) throw new Refusal(`no organisation "${org}" in the store`);
}

async function run(store: Store, [resource, action, subject]: string[], values: Values): Promise<void> {
  const org = values.org === undefined ? undefined : valid(OrgIdSchema, values.org, "--org");
  switch (`${resource} ${action}`) {
    case "org create": {
      const id = valid(OrgIdSchema, subject, "<id>");
      if (!(await store.createOrganisation(id, valid(NameSchema, values.name, "--name")))) throw new Refusal(`organisation "${id}" exists already`);
      console.error(`created organisation ${id}`);
      return;
    }
    case "org list":
      return table(
        ["id", "name", "created_at"],
        (await store.listOrganisations()).map((o) => [o.id, o.name, o.createdAt.toISOString()]),
      );
    case "client create": {
      const clientId = valid(ClientIdSchema, subject, "<client_id>");
      const owner = valid(OrgIdSchema, values.org, "--org");
      await requireOrganisation(store, owner);
      const created = await store.createApiClient({
        clientId,
        orgId: owner,
        name: valid(NameSchema, values.name, "--name"),
        countries: valid(countryList, values.countries, "--countries"),
        businessCodes: valid(codeList("business codes"), values["business-codes"], "--business-codes"),
        channels: valid(codeList("channels"), values.channels, "--channels"),
      });
      if (!created) throw new Refusal(`API client "${clientId}" exists already`);
      console.error(`created API client ${clientId} for organisation ${owner}`);
      return;
    }
    case "client list":
      return table(
        ["client_id", "org", "name", "countries", "business_codes", "channels"],
        (await store.listApiClients(org)).map((c) => [c.clientId, c.orgId, c.name, c.countries.join(","), c.businessCodes.join(","), c.channels.join(",")]),
      );
    case "api-key create": {
      const owner = valid(OrgIdSchema, values.org, "--org");
      await requireOrganisation(store, owner);
      const { id, key } = await store.createApiKey(owner, valid(NameSchema, values.label, "--label"));
      console.error(`created API key ${id} for organisation ${owner}`);
      console.log(key);
      return;
    }
    case "api-key list":
      return table(
        ["id", "org", "label", "created_at", "revoked_at"],
        (await store.listApiKeys(org)).map((k) => [k.id, k.orgId, k.label, k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? ""]),
      );
    case "api-key revoke": {
      const id = valid(KeyIdSchema, subject, "<id>");
      if (!(await store.revokeApiKey(id))) throw new Refusal(`no live API key ${id}`);
      console.error(`revoked API key ${id}`);
      return;
    }
    default:
      throw new Refusal(`unknown command "${[resource, action].filter(Boolean).join(" ")}"`);
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        org: { type: "string" },
        name: { type: "string" },
        label: { type: "string" },
        countries: { type: "string" },
        "business-codes": { type: "string" },
        channels: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new Refusal((error as Error).message);
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    console.log(usage);
    return parsed.values.help ? 0 : 2;
  }
  const config = loadStoreConfig();
  const [resource, action] = parsed.positionals;
  const store = await openConfiguredStore({
    databaseUrl: config.database.url,
    dataDir: config.dataDir,
    poolMax: 1,
    statementTimeoutMs: config.database.statementTimeoutMs,
    identifierHashKey: config.identifierHashKey,
    production: config.production,
    // In production a store holding demo data is refused, but for what lists it and revokes its keys.
    demoDataAllowed: action === "list" || (resource === "api-key" && action === "revoke"),
  });
  try {
    await run(store, parsed.positionals, parsed.values);
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const refused = error instanceof Refusal || error instanceof ConfigError || error instanceof ProductionRefusal;
    console.error(error instanceof Error ? error.message : String(error));
    if (error instanceof Refusal) console.error(`\n${usage}`);
    process.exit(refused ? 2 : 1);
  },
);
