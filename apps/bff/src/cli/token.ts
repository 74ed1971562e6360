import { parseArgs } from "node:util";
import { E164_PATTERN } from "@insights/contracts/records";
import { loadOrCreateDevelopmentKeys } from "../platform/auth/development-keys.js";
import { signDevelopmentToken } from "../platform/auth/development-tokens.js";
import { ConfigError, loadConfig } from "../config.js";

const usage = `Usage: npm run token -- --scope <scope> [--scope <scope>…] [--org telco] [--phone +34600000001]
                           [--subject <sub>] [--expires-in 60s|15m|1h|1d] [--expired]

Prints a bearer token signed with the development key in DATA_DIR (embedded default only).
  --scope       a scope to grant (repeatable), e.g. customer-insights:scoring:read
  --org         the organisation claim (default telco)
  --phone       bind the token to this subscriber (3-legged, OIDC phone_number claim)
  --expires-in  lifetime (default 1h)
  --expired     a token that expired a minute ago (to try the 401 path)`;

function seconds(text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text);
  if (!match) throw new Error(`--expires-in: "${text}" is not a duration such as 60s, 15m, 1h or 1d`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? "s") as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: "string", multiple: true },
      org: { type: "string", default: "telco" },
      phone: { type: "string" },
      subject: { type: "string" },
      "expires-in": { type: "string", default: "1h" },
      expired: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  if (config.production || config.auth.mode !== "development") {
    throw new Error("development tokens are only available in the embedded default (no AUTH_JWKS_URL, NODE_ENV not production)");
  }
  if (values.phone !== undefined && !E164_PATTERN.test(values.phone)) throw new Error("--phone must be E.164, e.g. +34600000001");
  const keys = await loadOrCreateDevelopmentKeys(config.dataDir);
  const lifetime = seconds(values["expires-in"]);
  if (lifetime > config.auth.maxLifetimeSeconds) {
    throw new Error(`--expires-in: the BFF accepts tokens of at most ${config.auth.maxLifetimeSeconds} s (AUTH_MAX_TOKEN_LIFETIME_S)`);
  }
  const token = await signDevelopmentToken(keys, {
    scopes: values.scope ?? [],
    orgId: values.org,
    ...(values.phone ? { phoneNumber: values.phone } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
    expiresInSeconds: values.expired ? 60 : lifetime,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ...(values.expired ? { now: new Date(Date.now() - 120_000) } : {}),
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  console.error(`\n${usage}`);
  process.exit(2);
});
