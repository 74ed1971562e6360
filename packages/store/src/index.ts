export { openStore, type Store, type StoreOptions } from "./store.js";
export { applyMigrations, migrationsDir } from "./migrate.js";
export * from "./schema.js";
export { constantTimeEqual, createIdentifierHasher, normaliseIdentifier, MIN_SECRET_BYTES, type HashPurpose, type IdentifierHasher } from "./identifier-hasher.js";
export { loadOrCreateSecretFile } from "./secret-file.js";
export { findCustomerByIdentifier, storedIdentifierValue } from "./customers.js";
export { authenticateApiKey, createApiKey, type ApiKeyOwner } from "./api-keys.js";
export { DEMO_API_CLIENTS, DEMO_API_KEYS, DEMO_CATEGORIES, DEMO_CUSTOMERS, DEMO_ORGANISATIONS, loadDemoDataIfEmpty } from "./demo-data.js";
