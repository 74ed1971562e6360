import { Agent, request } from "undici";
import { z } from "zod";
import type { ClientCredentials, VendorCredential } from "./config.js";
import { UpstreamFailure } from "./failure.js";

/** The headers that carry the BFF's own credential to a vendor, given how long may still be spent getting it. */
export type CredentialSource = {
  headers(timeoutMs: number): Promise<Record<string, string>>;
  /** The vendor refused the credential (401): get a new one next time. */
  invalidate(): void;
};

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** The largest token endpoint answer read: a token is a few KB (an endpoint may be an organisation's own). */
const MAX_TOKEN_RESPONSE_BYTES = 65_536;
const tokenDispatcher = new Agent({ maxResponseSize: MAX_TOKEN_RESPONSE_BYTES, keepAliveTimeout: 4_000 });

/** A token is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;
/** A token whose lifetime the endpoint does not state is kept this long. */
const DEFAULT_LIFETIME_MS = 300_000;

/** The work's result, or a credentials failure once `ms` have passed (AbortSignal.timeout: an unreferenced timer, nothing to clear). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  const signal = AbortSignal.timeout(Math.max(1, Math.ceil(ms)));
  return new Promise<T>((resolve, reject) => {
    const late = () => reject(new UpstreamFailure("credentials", "the token endpoint did not answer in time"));
    signal.addEventListener("abort", late, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", late));
  });
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4, `client_secret_basic`): one token per upstream,
 * fetched when first needed and renewed before it expires; concurrent calls share one fetch.
 */
function clientCredentialsSource(credential: ClientCredentials): CredentialSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(timeoutMs: number): Promise<string> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (credential.scope) form.set("scope", credential.scope);
    const basic = Buffer.from(`${encodeURIComponent(credential.clientId)}:${encodeURIComponent(credential.clientSecret)}`).toString("base64");
    try {
      const response = await request(credential.tokenUrl, {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
        signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
        dispatcher: tokenDispatcher,
      });
      const body: unknown = await response.body.json().catch(() => undefined);
      const parsed = TokenResponseSchema.safeParse(body);
      if (response.statusCode !== 200 || !parsed.success) {
        throw new UpstreamFailure("credentials", `the token endpoint answered ${response.statusCode} without a token`, response.statusCode);
      }
      cached = { token: parsed.data.access_token, expiresAt: Date.now() + (parsed.data.expires_in ? parsed.data.expires_in * 1000 : DEFAULT_LIFETIME_MS) - EXPIRY_MARGIN_MS };
      return cached.token;
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      throw new UpstreamFailure("credentials", "the token endpoint could not be reached", undefined, { cause: error });
    }
  }

  return {
    async headers(timeoutMs) {
      if (cached && cached.expiresAt > Date.now()) return { authorization: `Bearer ${cached.token}` };
      pending ??= fetchToken(timeoutMs).finally(() => (pending = undefined));
      // A fetch another request started may outlast this request's deadline: this one waits no longer than its own.
      return { authorization: `Bearer ${await within(pending, timeoutMs)}` };
    },
    invalidate() {
      cached = undefined;
    },
  };
}

export function credentialSource(credential: VendorCredential): CredentialSource {
  if (credential.kind === "oauth2") return clientCredentialsSource(credential);
  const headers = { [credential.header]: credential.value };
  return { headers: async () => headers, invalidate: () => undefined };
}
