import { overviewSections, type Overview, type OverviewSectionName, type SectionError } from "@insights/contracts/mobile";
import { AppError } from "@insights/errors";
import type { CustomerKeys } from "@insights/store";

/** What each section of the overview holds when it could be produced (as the mobile contract says). */
export type SectionData = { [K in OverviewSectionName]: Exclude<Overview["sections"][K], SectionError | undefined> };

/** `requestId`: the overview request's, for the log lines of sections that call upstream vendors. */
export type SectionContext = { orgId: string; at: Date; requestId?: string };

/** Produces one section of a customer's overview; throws (an AppError, ideally) when it cannot. */
export type SectionProvider<K extends OverviewSectionName> = (customer: CustomerKeys, context: SectionContext) => Promise<SectionData[K]>;

/** One provider per section: the seam tests use (through AppDependencies) to make a section fail or stall. */
export type SectionProviders = { [K in OverviewSectionName]: SectionProvider<K> };

/** A section's failure for a customer without a key for that vendor (404 in the section). */
export function unknownTo(vendor: string): AppError {
  return new AppError("not_found", { detail: `The customer is not known to ${vendor}.` });
}

/** One family's section of the overview, as the app hands it to the mobile API. */
export type FamilySection = { name: OverviewSectionName; provider: SectionProvider<OverviewSectionName> };

/** One provider per section of the overview, from the families' sections: each section exactly once (checked at start). */
export function sectionProviders(sections: readonly FamilySection[]): SectionProviders {
  const providers = new Map<OverviewSectionName, SectionProvider<OverviewSectionName>>();
  for (const { name, provider } of sections) {
    if (providers.has(name)) throw new Error(`two providers for the overview section ${name}`);
    providers.set(name, provider);
  }
  const missing = overviewSections.filter((name) => !providers.has(name));
  if (missing.length > 0) throw new Error(`no provider for the overview sections ${missing.join(", ")}`);
  return Object.fromEntries(providers) as SectionProviders;
}
