import { scoringContract } from "@insights/contracts/scoring";
import { defineFamily } from "../family.js";
import { scoringDialect } from "./dialect.js";
import { scoringHandlers } from "./handlers.js";
import { localScoreSection, upstreamScoreSection } from "./section.js";
import { scoringEnvShape, scoringUpstream } from "./upstream.js";

/** CAMARA Customer Insights scoring. */
export const scoringFamily = defineFamily({
  name: "scoring",
  prefix: "SCORING",
  env: scoringEnvShape,
  contract: scoringContract,
  dialect: () => scoringDialect,
  handlers: ({ store, settings }) => scoringHandlers(store, settings.scoring),
  upstream: scoringUpstream,
  section: {
    name: "score",
    local: ({ store, settings }) => localScoreSection(store, settings.scoring),
    upstream: (ask, settings) => upstreamScoreSection(ask, settings.scoring),
  },
});
