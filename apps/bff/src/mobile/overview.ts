import type { Problem } from "@insights/contracts";
import type { OverviewSectionName, SectionError } from "@insights/contracts/mobile";
import { AppError, fromUnknown, problemCodec } from "@insights/errors";
import type { CustomerKeys } from "@insights/store";
import type { Logger } from "pino";
import type { SectionContext, SectionData, SectionProviders } from "./sections.js";

export type OverviewSections = { [K in OverviewSectionName]?: SectionData[K] | SectionError };

const SERVER_SIDE = new Set(["internal", "unavailable", "timeout"]);

/** Settles with the work's result, or rejects with a timeout once `ms` have passed (the timer never outlives the race). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("timeout", { detail: `The section did not answer within ${ms} ms.` })), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A section's failure as problem details; a vendor's code stays in the vendor's API. */
function sectionProblem(error: AppError, instance: string): Problem {
  const plain = new AppError(error.kind, error.detail === undefined ? {} : { detail: error.detail });
  return problemCodec.render(plain, { instance }).body as Problem;
}

export type GatherOptions = {
  providers: SectionProviders;
  timeoutMs: number;
  logger: Logger;
  requestId: string;
};

/**
 * Every section asked for, started at once, each under its own deadline. A section that fails is
 * `{ error }`; when every one failed on our side (not a 4xx such as "not known to that vendor"),
 * there is no overview to give: 503.
 */
export async function gatherSections(
  names: readonly OverviewSectionName[],
  customer: CustomerKeys,
  context: SectionContext,
  { providers, timeoutMs, logger, requestId }: GatherOptions,
): Promise<OverviewSections> {
  const settled = await Promise.all(
    names.map(async (name) => {
      try {
        // The provider is called inside the try: one that throws synchronously fails its section only.
        const produce = providers[name] as (customer: CustomerKeys, context: SectionContext) => Promise<SectionData[OverviewSectionName]>;
        return { name, value: await withDeadline(produce(customer, context), timeoutMs), failed: false };
      } catch (thrown) {
        const error = fromUnknown(thrown);
        const failed = SERVER_SIDE.has(error.kind);
        if (failed) logger.error({ requestId, section: name, kind: error.kind, err: error.cause ?? error }, "overview section failed");
        return { name, value: { error: sectionProblem(error, requestId) }, failed };
      }
    }),
  );
  if (settled.every((s) => s.failed)) throw new AppError("unavailable", { detail: "No section of the overview could be produced." });
  const sections: OverviewSections = {};
  for (const { name, value } of settled) (sections as Record<string, unknown>)[name] = value;
  return sections;
}
