export { openStore, type Store, type StoreOptions } from "./store.js";
export { applyMigrations, migrationsDir } from "./migrate.js";
export * from "./schema.js";
export { createIdentifierHasher, normaliseIdentifier, MIN_SECRET_BYTES, type HashPurpose, type IdentifierHasher } from "./identifier-hasher.js";
export { loadOrCreateSecretFile } from "./secret-file.js";
export { findCustomerByIdentifier, storedIdentifierValue } from "./customers.js";
export { authenticateApiKey, authenticateApiKeyHash, createApiKey, listApiKeys, revokeApiKey, type ApiKeyListing, type ApiKeyOwner } from "./api-keys.js";
export { DEMO_API_CLIENTS, DEMO_API_KEYS, DEMO_CATEGORIES, DEMO_CUSTOMERS, DEMO_ORGANISATIONS, findDemoData, loadDemoDataIfEmpty } from "./demo-data.js";
export {
  createApiClient,
  createOrganisation,
  listApiClients,
  listOrganisations,
  organisationExists,
  type ApiClientRegistration,
  type Organisation,
} from "./organisations.js";
export { loadIdentifierHasher, openConfiguredStore, type StoreConfig } from "./configured-store.js";
export { acquireDataDirLock, DataDirInUseError } from "./data-dir-lock.js";
export { lookupScoring, lookupScoringSubject, type ScoringLookup, type ScoringLookupRequest, type ScoringSubjectLookup } from "./scores.js";
export { deleteExpiredE2eSessions, findApiClient, findE2eSessionLivingPast, findLiveE2eSession, insertE2eSession, lookupSegment, type E2eSession, type SegmentCustomer, type SegmentLookup, type SegmentLookupRequest } from "./segments.js";
export * from "./categories.js";
export { loadProfiles, type CustomerProfile, type InwardLinksLevel, type LinkedProfile } from "./profiles.js";
export { findCustomerKeys, type CustomerKeys, type CustomerSelector } from "./customer-keys.js";
export { applyImportBatch, type ImportBatch, type ImportBatchResult, type ImportRows } from "./import-batch.js";
export type { CustomerImportRow } from "./import-customers.js";
export type { ScoreImportRow } from "./import-scores.js";
export type { ProfileAttributeImportRow } from "./import-profile-attributes.js";
export type { CategoryAssignmentImportRow } from "./import-category-assignments.js";
export {
  createImportJob,
  findImportJob,
  finishImportJob,
  listImportRejects,
  listUnfinishedImportJobs,
  markImportJobRunning,
  type ImportJob,
  type ImportReject,
  type ImportRowCounts,
  type NewImportJob,
} from "./import-jobs.js";
export { completeImportChunk, loadImportChunk, pendingImportChunks, stageChunkedImportJob, type ImportChunk } from "./import-chunks.js";
