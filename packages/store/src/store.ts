import type { ImportDataset } from "@insights/contracts/records";
import { authenticateApiKeyHash, createApiKey, listApiKeys, revokeApiKey, type ApiKeyOwner } from "./api-keys.js";
import {
  addCatalogueCategories,
  addCustomerCategory,
  customerCategoryHistory,
  listCatalogue,
  listCustomerCategories,
  patchCustomerCategory,
  removeCustomerCategory,
  type CustomerCategoryPatch,
  type NewCatalogueCategory,
  type NewCustomerCategory,
} from "./categories.js";
import { listenForChanges, type ChangeListener } from "./change-listener.js";
import { openConnection, type ConnectionOptions, type StoreConnection } from "./connection.js";
import { findCustomerKeys, type CustomerSelector } from "./customer-keys.js";
import { storedIdentifierValue } from "./customers.js";
import { findDemoData, loadDemoDataIfEmpty } from "./demo-data.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import { applyImportBatch, type ImportBatch } from "./import-batch.js";
import { importStatistics } from "./import-statistics.js";
import { completeImportChunk, loadImportChunk, pendingImportChunks, stageChunkedImportJob } from "./import-chunks.js";
import { countActiveImportJobs, createImportJob, findImportJob, finishImportJob, listImportRejects, listUnfinishedImportJobs, markImportJobRunning } from "./import-jobs.js";
import { createApiClient, createOrganisation, listApiClients, listOrganisations, organisationExists, type ApiClientRegistration } from "./organisations.js";
import { loadProfiles, type InwardLinksLevel } from "./profiles.js";
import { orgScope, ReadCache, type CacheScope, type ReadCacheOptions } from "./read-cache.js";
import { lookupScoringSubject, type ScoringLookup, type ScoringLookupRequest } from "./scores.js";
import type { IdentifierKind, UpstreamCredentialFamily } from "./schema.js";
import {
  findUpstreamCredential,
  identifierOrganisations,
  listUpstreamCredentials,
  revokeUpstreamCredential,
  setUpstreamCredential,
  type SealedUpstreamCredential,
} from "./upstream-credentials.js";
import { deleteExpiredE2eSessions, findApiClient, findE2eSessionLivingPast, findLiveE2eSession, insertE2eSession, lookupSegment, type SegmentLookupRequest } from "./segments.js";

/**
 * The store as apps see it: domain operations, never the query builder or the identifier
 * hasher (both stay inside this package). Reads the API answers from may be cached
 * (docs/performance.md#read-cache); every write here invalidates what it changed before it
 * resolves, and on PostgreSQL the writing transaction notifies every other process.
 */
export type Store = StoreLifecycle & ReturnType<typeof domainOperations>;

type StoreLifecycle = {
  readonly kind: StoreConnection["kind"];
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Applies pending migrations; returns their names. */
  migrate(): Promise<string[]>;
  /** PGlite only: the whole data directory as a tarball. */
  dumpDataDir(): Promise<Blob>;
  /**
   * Resolves once the store has had no query for `quietMs`, or after `maxWaitMs` whatever
   * happens: a background writer (the BFF's import) lets requests run all their queries first.
   * At once on PostgreSQL, whose connections are many.
   */
  whenQuiet(quietMs: number, maxWaitMs: number): Promise<void>;
  close(): Promise<void>;
};

export type StoreOptions = ConnectionOptions & {
  hasher: IdentifierHasher;
  /** Caches reads (default: no cache). On PostgreSQL a change listener invalidates it across processes. */
  readCache?: ReadCacheOptions | undefined;
};

/** Opens the database and the domain operations over it. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const connection = await openConnection(options);
  try {
    return await storeOver(connection, options.hasher, readCacheOf(options.readCache));
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** The read cache options ask for, if any. */
export function readCacheOf(options: ReadCacheOptions | undefined): ReadCache | undefined {
  return options && options.ttlMs > 0 ? new ReadCache(options) : undefined;
}

/**
 * The domain operations over an open connection (which the store then owns: close() closes it).
 * `hearChanges: false` (tests only) leaves a cache deaf to the database's change notifications,
 * so that what a write invalidates by itself can be told apart.
 */
export async function storeOver(
  connection: StoreConnection,
  hasher: IdentifierHasher,
  cache?: ReadCache,
  { hearChanges = true, onIgnoredChange }: { hearChanges?: boolean; onIgnoredChange?: (() => void) | undefined } = {},
): Promise<Store> {
  let listener: ChangeListener | undefined;
  if (cache && hearChanges) listener = await listenForChanges(connection, cache, onIgnoredChange);
  return {
    kind: connection.kind,
    ping: () => connection.ping(),
    migrate: () => connection.migrate(),
    dumpDataDir: () => connection.dumpDataDir(),
    whenQuiet: async (quietMs, maxWaitMs) => {
      const idleMs = connection.idleMs?.bind(connection);
      if (!idleMs) return;
      const until = performance.now() + maxWaitMs;
      for (let idle = idleMs(); idle < quietMs && performance.now() < until; idle = idleMs()) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, quietMs - idle)));
      }
    },
    close: async () => {
      await listener?.close();
      await connection.close();
    },
    ...domainOperations(connection, hasher, cache),
  };
}

function domainOperations({ db, kind }: StoreConnection, hasher: IdentifierHasher, cache: ReadCache | undefined) {
  const read = <T>(scope: CacheScope, key: string, load: () => Promise<T>): Promise<T> => (cache ? cache.read(scope, key, load) : load());
  /** Runs a write, then invalidates the scope it changed, before the caller hears it is done. */
  const write = async <T>(scope: CacheScope, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } finally {
      cache?.invalidate(scope);
    }
  };
  // Cache keys hold identity documents and card numbers only as their keyed hash, as the tables do.
  const stored = (kind: "id_document" | "card_number", value: string | undefined) => (value === undefined ? "" : storedIdentifierValue(hasher, kind, value));
  const key = (...parts: (string | number)[]) => parts.join("\u0000");
  const keepImportStatistics = importStatistics(db);

  const scoringSubject = (request: Omit<ScoringLookupRequest, "scale">) =>
    read(orgScope(request.orgId), key("scoring", request.orgId, request.phoneNumber ?? "", stored("id_document", request.idDocument)), () =>
      lookupScoringSubject(db, hasher, request),
    );

  return {
    // CAMARA scoring
    /** Resolves phone and document within one organisation, and the subject's score on the scale asked for. */
    lookupScoring: async (request: ScoringLookupRequest): Promise<ScoringLookup> => {
      const { scores, ...subject } = await scoringSubject(request);
      return { ...subject, score: scores[request.scale] };
    },
    /** The same, with the subject's score on every scale it has one on. */
    lookupScoringSubject: scoringSubject,

    // Citibanamex segments
    lookupSegment: (request: SegmentLookupRequest) =>
      read(orgScope(request.orgId), key("segment", request.orgId, request.customerId ?? "", stored("card_number", request.cardNumber)), () =>
        lookupSegment(db, hasher, request),
      ),
    findApiClient: (orgId: string, clientId: string) => read(orgScope(orgId), key("api-client", orgId, clientId), () => findApiClient(db, orgId, clientId)),
    insertE2eSession: (session: Parameters<typeof insertE2eSession>[1]) => insertE2eSession(db, session),
    findE2eSessionLivingPast: (orgId: string, clientId: string, until: Date) => findE2eSessionLivingPast(db, orgId, clientId, until),
    findLiveE2eSession: (sid: string, orgId: string, clientId: string, now: Date) => findLiveE2eSession(db, sid, orgId, clientId, now),
    deleteExpiredE2eSessions: (now: Date) => deleteExpiredE2eSessions(db, now),

    // MasStack categories
    listCustomerCategories: (orgId: string, masstackId: string, categoryId?: number) =>
      read(orgScope(orgId), key("categories", orgId, masstackId, categoryId ?? ""), () => listCustomerCategories(db, orgId, masstackId, categoryId)),
    customerCategoryHistory: (orgId: string, masstackId: string, page: Parameters<typeof customerCategoryHistory>[3]) => customerCategoryHistory(db, orgId, masstackId, page),
    addCustomerCategory: (orgId: string, masstackId: string, input: NewCustomerCategory, actor: string) =>
      write(orgScope(orgId), () => addCustomerCategory(db, orgId, masstackId, input, actor)),
    patchCustomerCategory: (orgId: string, masstackId: string, categoryId: number, patch: CustomerCategoryPatch, actor: string) =>
      write(orgScope(orgId), () => patchCustomerCategory(db, orgId, masstackId, categoryId, patch, actor)),
    removeCustomerCategory: (orgId: string, masstackId: string, categoryId: number, actor: string) =>
      write(orgScope(orgId), () => removeCustomerCategory(db, orgId, masstackId, categoryId, actor)),
    listCatalogue: (orgId: string) => read(orgScope(orgId), key("catalogue", orgId), () => listCatalogue(db, orgId)),
    addCatalogueCategories: (orgId: string, categories: NewCatalogueCategory[]) => write(orgScope(orgId), () => addCatalogueCategories(db, orgId, categories)),

    // IMIconnect profiles
    loadProfiles: (orgId: string, refs: readonly string[], level: InwardLinksLevel) =>
      read(orgScope(orgId), key("profiles", orgId, level, ...refs), () => loadProfiles(db, orgId, refs, level)),

    // Customers across families (the mobile API)
    findCustomerKeys: (orgId: string, selector: CustomerSelector) =>
      read(orgScope(orgId), key("customer-keys", orgId, ...selectorKey(selector, hasher)), () => findCustomerKeys(db, hasher, orgId, selector)),

    // Organisations, API clients and keys (the admin CLI; API keys authenticate callers)
    organisationExists: (id: string) => organisationExists(db, id),
    createOrganisation: (id: string, name: string) => write(orgScope(id), () => createOrganisation(db, id, name)),
    listOrganisations: () => listOrganisations(db),
    createApiClient: (client: ApiClientRegistration) => write(orgScope(client.orgId), () => createApiClient(db, client)),
    listApiClients: (orgId?: string) => listApiClients(db, orgId),
    /** The organisation an API key belongs to, or undefined; the key is looked up (and cached) by its keyed hash. */
    authenticateApiKey: (apiKey: string): Promise<ApiKeyOwner | undefined> => {
      const presented = hasher.hash("api_key", apiKey);
      return read("api-keys", key("api-key", presented), () => authenticateApiKeyHash(db, presented));
    },
    createApiKey: (orgId: string, label: string, apiKey?: string) => write("api-keys", () => createApiKey(db, hasher, orgId, label, apiKey)),
    listApiKeys: (orgId?: string) => listApiKeys(db, orgId),
    revokeApiKey: (id: string, now?: Date) => write("api-keys", () => revokeApiKey(db, id, now)),

    // Upstream mode: organisations' own vendor accounts (sealed by the BFF), and whose a vendor identifier is
    setUpstreamCredential: (credential: SealedUpstreamCredential) => write(orgScope(credential.orgId), () => setUpstreamCredential(db, credential)),
    findUpstreamCredential: (orgId: string, family: UpstreamCredentialFamily) =>
      read(orgScope(orgId), key("upstream-credential", orgId, family), () => findUpstreamCredential(db, orgId, family)),
    listUpstreamCredentials: (orgId?: string) => listUpstreamCredentials(db, orgId),
    revokeUpstreamCredential: (orgId: string, family: UpstreamCredentialFamily) => write(orgScope(orgId), () => revokeUpstreamCredential(db, orgId, family)),
    identifierOrganisations: (kind: IdentifierKind, value: string) => identifierOrganisations(db, hasher, kind, value),

    // Imports
    createImportJob: (job: Parameters<typeof createImportJob>[1]) => createImportJob(db, job),
    findImportJob: (id: string, orgId?: string) => findImportJob(db, id, orgId),
    listUnfinishedImportJobs: () => listUnfinishedImportJobs(db),
    countActiveImportJobs: (orgId: string) => countActiveImportJobs(db, orgId),
    markImportJobRunning: (id: string, options?: { newRun?: boolean }) => markImportJobRunning(db, id, options),
    finishImportJob: (id: string, outcome: Parameters<typeof finishImportJob>[2]) => finishImportJob(db, id, outcome),
    listImportRejects: (jobId: string, page: Parameters<typeof listImportRejects>[2]) => listImportRejects(db, jobId, page),
    /** Applies one batch of a job's rows in one transaction (see import-batch.ts); invalidates the organisation's reads. */
    applyImportBatch: async <D extends ImportDataset>(job: { id: string; orgId: string }, batch: ImportBatch<D>, options?: Parameters<typeof applyImportBatch>[4]) => {
      // PGlite is PostgreSQL inside this process: a commit not yet written would die with it.
      const result = await write(orgScope(job.orgId), () => applyImportBatch(db, hasher, job, batch, { ...options, asynchronousCommit: kind === "postgres" }));
      await keepImportStatistics(options?.dryRun ? 0 : result.imported);
      return result;
    },
    stageChunkedImportJob: (job: Parameters<typeof stageChunkedImportJob>[1], stage: Parameters<typeof stageChunkedImportJob>[2]) => stageChunkedImportJob(db, job, stage),
    pendingImportChunks: (jobId: string) => pendingImportChunks(db, jobId),
    loadImportChunk: (jobId: string, seq: number) => loadImportChunk(db, jobId, seq),
    completeImportChunk: (jobId: string, seq: number) => completeImportChunk(db, jobId, seq),

    // Demo data
    loadDemoDataIfEmpty: async () => {
      const loaded = await loadDemoDataIfEmpty(db, hasher);
      if (loaded) cache?.invalidateAll();
      return loaded;
    },
    findDemoData: () => findDemoData(db, hasher),
  };
}

/** A customer selector as cache-key parts, identifier values of hashed kinds hashed. */
function selectorKey(selector: CustomerSelector, hasher: IdentifierHasher): string[] {
  if ("customerId" in selector) return ["id", selector.customerId.toLowerCase()];
  if ("externalId" in selector) return ["external", selector.externalId];
  return [selector.kind, storedIdentifierValue(hasher, selector.kind, selector.value)];
}
