import { createImiconnectCodec, type ImiconnectContext, type ImiconnectHttpStatusMode } from "@insights/errors";
import type { FamilyDialect } from "../../platform/http/family-dialect.js";

/**
 * IMIconnect profiles on the wire: every answer carries the request's `transid` (logged with it),
 * and errors travel with HTTP 200 as the vendor's do (`vendor`) or with their own status (`http`:
 * PROFILES_ERROR_HTTP_STATUS).
 */
export function profilesDialect(errorHttpStatus: ImiconnectHttpStatusMode): FamilyDialect<ImiconnectContext> {
  return {
    family: "imiconnect",
    codec: createImiconnectCodec(errorHttpStatus),
    errorContext: (_req, ids) => ({ transid: ids.transactionId }),
    logFields: (ids) => ({ transid: ids.transactionId }),
  };
}
