import { segmentsContract } from "@insights/contracts/segments";
import { defineFamily } from "../family.js";
import { segmentsDialect } from "./dialect.js";
import { segmentsHandlers } from "./handlers.js";
import { localSegmentSection, upstreamSegmentSection } from "./section.js";
import { segmentsEnvShape, segmentsUpstream } from "./upstream.js";

/** Citibanamex customer segments. */
export const segmentsFamily = defineFamily({
  name: "segments",
  prefix: "SEGMENTS",
  env: segmentsEnvShape,
  contract: segmentsContract,
  dialect: () => segmentsDialect,
  handlers: ({ store, settings, now }) => segmentsHandlers(store, settings.segments, now),
  upstream: segmentsUpstream,
  section: {
    name: "segment",
    local: ({ store }) => localSegmentSection(store),
    upstream: (ask, settings) => upstreamSegmentSection(ask, settings.segments.upstreamChannel),
  },
});
