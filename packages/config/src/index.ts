export {
  bool,
  ConfigError,
  loadStoreSettings,
  logLevels,
  parseEnvironment,
  positiveInt,
  productionIssues,
  sharedEnvShape,
  storeConfig,
  storeSettings,
  type ImportLimitSettings,
  type LogLevel,
  type StoreSettings,
} from "./environment.js";
export { CENSORED_FIELDS, createLogger } from "./logger.js";
