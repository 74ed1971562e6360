import type { scoringContract } from "@insights/contracts/scoring";
import type { Store } from "@insights/store";
import type { ScoringConfig } from "../../config.js";
import type { RouteHandler, RouterHandlers } from "../../platform/http/ts-rest-adapter.js";
import { retrieveScoring } from "./scoring-rules.js";

type Route = (typeof scoringContract)["retrieveScoring"];

/** Both scoring paths (the seed's and the official v0.2 one) answer with the same handler. */
export function scoringHandlers(store: Store, config: ScoringConfig): RouterHandlers<typeof scoringContract> {
  const handler: RouteHandler<Route> = async ({ body, caller }) => {
    const result = await retrieveScoring(caller, body, config, store.lookupScoring);
    return { status: 200, body: result };
  };
  return { retrieveScoring: handler, retrieveScoringV02: handler };
}
