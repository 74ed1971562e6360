import { AppError } from "@insights/errors";
import type { Store } from "@insights/store";
import type { CredentialScheme, UpstreamSettings, VendorCredential } from "./config.js";
import { openCredential, type OrganisationCredential } from "./credential-vault.js";
import { credentialSource, type CredentialSource } from "./credentials.js";
import type { VendorIdentifier } from "./family-upstream.js";

/**
 * Which vendor account a caller's organisation is served with, and the refusals that keep
 * organisations apart in upstream mode (docs/upstream.md#threat-model): a caller of an
 * organisation the account does not belong to is refused before any vendor call, and so is a
 * request naming a vendor identifier the store holds for other organisations only.
 */

/** How the call is authenticated to the vendor: the caller's own headers as received, or a vendor credential. */
export type VendorAccess =
  | { kind: "caller" }
  | { kind: "vendor"; source: CredentialSource; headers: Record<string, string> };

export type OrganisationAccess = {
  /** The access for a caller of `orgId`; the family's forbidden error when no account of that organisation is configured. */
  accessFor(orgId: string): Promise<VendorAccess>;
  /** The identifiers the store holds for other organisations and not for `orgId`. */
  othersIdentifiers(orgId: string, identifiers: readonly VendorIdentifier[]): Promise<VendorIdentifier[]>;
};

export type OrganisationAccessDependencies = {
  store: Pick<Store, "findUpstreamCredential" | "identifierOrganisations">;
  /** UPSTREAM_CREDENTIALS_KEY: opens the organisations' sealed credentials. */
  credentialsKey: Buffer | undefined;
  /** How the family's vendor takes a credential: the kind of an organisation's it accepts, and its header. */
  credentials: CredentialScheme;
  /** Extra headers a vendor credential brings (a client id, say). */
  vendorHeaders: (credential: VendorCredential) => Record<string, string>;
};

const notServed = () => new AppError("permission_denied", { detail: "This organisation has no account with the vendor answering this API." });

function vendorCredentialOf(family: string, scheme: CredentialScheme, given: OrganisationCredential): VendorCredential {
  if (given.kind === "oauth2") return { kind: "oauth2", tokenUrl: given.tokenUrl, clientId: given.clientId, clientSecret: given.clientSecret, scope: given.scope };
  if (!scheme.headerOf) throw new Error(`the ${family} vendor takes no header credential`);
  return scheme.headerOf(given.secret);
}

/** The families the store keeps organisations' credentials for. */
export type CredentialFamily = Parameters<Store["findUpstreamCredential"]>[1];

export function organisationAccess(settings: UpstreamSettings<CredentialFamily>, deps: OrganisationAccessDependencies): OrganisationAccess {
  const vendorAccess = (credential: VendorCredential): VendorAccess => ({ kind: "vendor", source: credentialSource(credential), headers: deps.vendorHeaders(credential) });
  const account = settings.account;
  const family = settings.family;

  let accessFor: OrganisationAccess["accessFor"];
  if (account.kind === "organisation") {
    const access: VendorAccess = account.credential ? vendorAccess(account.credential) : { kind: "caller" };
    accessFor = async (orgId) => {
      if (orgId !== account.orgId) throw notServed();
      return access;
    };
  } else {
    // One credential source per organisation (its token cache), replaced when its sealed credential changes.
    const opened = new Map<string, { sealed: string; access: VendorAccess }>();
    accessFor = async (orgId) => {
      const row = await deps.store.findUpstreamCredential(orgId, family);
      if (!row || row.kind !== deps.credentials.kind) {
        opened.delete(orgId);
        throw notServed();
      }
      const known = opened.get(orgId);
      if (known?.sealed === row.sealed) return known.access;
      const credential = deps.credentialsKey && openCredential(deps.credentialsKey, orgId, family, row.sealed);
      if (!credential) throw new AppError("unavailable", { detail: "The organisation's vendor credential cannot be opened with this deployment's key." });
      const access = vendorAccess(vendorCredentialOf(family, deps.credentials, credential));
      opened.set(orgId, { sealed: row.sealed, access });
      return access;
    };
  }

  return {
    accessFor,
    async othersIdentifiers(orgId, identifiers) {
      const others: VendorIdentifier[] = [];
      for (const identifier of identifiers) {
        const holders = await deps.store.identifierOrganisations(identifier.kind, identifier.value);
        if (holders.length > 0 && !holders.includes(orgId)) others.push(identifier);
      }
      return others;
    },
  };
}
