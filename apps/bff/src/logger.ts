import { createLogger as createSharedLogger } from "@insights/config";
import type { DestinationStream, Logger } from "pino";

/** The system's redacting logger (shared with the worker), as the BFF's service. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return createSharedLogger("insights-bff", level, destination);
}
