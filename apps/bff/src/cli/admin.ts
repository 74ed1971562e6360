import { parseArgs } from "node:util";
import { storeConfig } from "@insights/config";
import { openConfiguredStore, ProductionRefusal, type SealedUpstreamCredential, type Store } from "@insights/store";
import { z } from "zod";
import { ConfigError, loadStoreConfig } from "../config.js";
import { credentialKindOf, upstreamFamilies } from "../families/index.js";
import { upstreamCredentialsKey } from "../platform/upstream/config.js";
import { OrganisationCredentialSchema, sealCredential, type OrganisationCredential } from "../platform/upstream/credential-vault.js";

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
  upstream set --org <org> --family <family> [--token-url <url> --client-id <id> [--scope <scope>]] < secret
                                         the organisation's own vendor credential for a family whose
                                         <FAMILY>_UPSTREAM_CREDENTIALS=per-organisation: scoring and segments take
                                         OAuth2 client credentials (the client secret on stdin), categories and
                                         profiles one secret (MasStack's token, IMIconnect's key, on stdin).
                                         Sealed under UPSTREAM_CREDENTIALS_KEY; never printed again
  upstream list [--org <org>]            which organisations have one, for which family (never a secret)
  upstream revoke --org <org> --family <family>

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
const FamilySchema = z.enum(upstreamFamilies, { errorMap: () => ({ message: `a family is one of ${upstreamFamilies.join(", ")}` }) });
/** Longest secret read from stdin. */
const MAX_SECRET_BYTES = 8192;

/** The secret piped on stdin (one line; a trailing newline is not part of it): never an argument, which `ps` would show. */
async function secretFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Refusal("pipe the secret on stdin (it is never taken as an argument)");
  const tooLong = () => new Refusal(`the secret on stdin is longer than ${MAX_SECRET_BYTES} bytes`);
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    // Reading stops soon past the bound (a newline may follow the secret).
    if (Buffer.byteLength(text) > MAX_SECRET_BYTES + 2) throw tooLong();
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "" || /[\r\n]/.test(secret)) throw new Refusal("stdin must hold the secret on one line");
  if (Buffer.byteLength(secret) > MAX_SECRET_BYTES) throw tooLong();
  return secret;
}

/** What `upstream set` seals: the options and the secret, as the family's vendor takes them. */
async function organisationCredential(family: (typeof upstreamFamilies)[number], values: Values): Promise<OrganisationCredential> {
  const oauth2Options = ["token-url", "client-id", "scope"].filter((name) => values[name] !== undefined);
  let given: unknown;
  if (credentialKindOf[family] === "oauth2") {
    if (values["token-url"] === undefined || values["client-id"] === undefined) throw new Refusal(`--token-url and --client-id are required for ${family} (OAuth2 client credentials)`);
    given = { kind: "oauth2", tokenUrl: values["token-url"], clientId: values["client-id"], clientSecret: await secretFromStdin(), ...(values.scope !== undefined ? { scope: values.scope } : {}) };
  } else {
    if (oauth2Options.length > 0) throw new Refusal(`${family} takes one secret on stdin, not --${oauth2Options.join(", --")}`);
    given = { kind: "header", secret: await secretFromStdin() };
  }
  const parsed = OrganisationCredentialSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Refusal(`${issue?.path.join(".") ?? "credential"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

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

/** `upstream set`'s credential, read and sealed before the store is opened (so that a refusal costs no store start). */
async function sealedUpstreamCredential(values: Values): Promise<SealedUpstreamCredential> {
  const orgId = valid(OrgIdSchema, values.org, "--org");
  const family = valid(FamilySchema, values.family, "--family");
  const key = upstreamCredentialsKey();
  const credential = await organisationCredential(family, values);
  return { orgId, family, kind: credential.kind, sealed: sealCredential(key, orgId, family, credential) };
}

async function run(store: Store, [resource, action, subject]: string[], values: Values, sealed: SealedUpstreamCredential | undefined): Promise<void> {
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
    case "upstream set": {
      if (!sealed) throw new Error("upstream set runs with its credential sealed beforehand");
      await requireOrganisation(store, sealed.orgId);
      await store.setUpstreamCredential(sealed);
      console.error(`set the ${sealed.family} vendor credential of organisation ${sealed.orgId}`);
      return;
    }
    case "upstream list":
      return table(
        ["org", "family", "kind", "created_at", "updated_at"],
        (await store.listUpstreamCredentials(org)).map((c) => [c.orgId, c.family, c.kind, c.createdAt.toISOString(), c.updatedAt.toISOString()]),
      );
    case "upstream revoke": {
      const owner = valid(OrgIdSchema, values.org, "--org");
      const family = valid(FamilySchema, values.family, "--family");
      if (!(await store.revokeUpstreamCredential(owner, family))) throw new Refusal(`organisation ${owner} has no ${family} vendor credential`);
      console.error(`revoked the ${family} vendor credential of organisation ${owner}`);
      return;
    }
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
        family: { type: "string" },
        "token-url": { type: "string" },
        "client-id": { type: "string" },
        scope: { type: "string" },
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
  const sealed = resource === "upstream" && action === "set" ? await sealedUpstreamCredential(parsed.values) : undefined;
  const store = await openConfiguredStore({
    ...storeConfig(config),
    poolMax: 1,
    // In production a store holding demo data is refused, but for what lists it and revokes its keys.
    demoDataAllowed: action === "list" || action === "revoke",
  });
  try {
    await run(store, parsed.positionals, parsed.values, sealed);
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
