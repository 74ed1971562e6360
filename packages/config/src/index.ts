export { bool, ConfigError, logLevels, parseEnvironment, positiveInt, sharedEnvShape, storeSettings, type LogLevel, type StoreSettings } from "./environment.js";
export { createLogger, REDACTED_PATHS } from "./logger.js";
