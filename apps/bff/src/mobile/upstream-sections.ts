import { randomUUID } from "node:crypto";
import { AppError } from "@insights/errors";
import { deadlineAfter } from "../platform/upstream/deadline.js";
import { callThrough } from "../platform/upstream/forwarding.js";
import type { Upstream, UpstreamRequest } from "../platform/upstream/upstream-client.js";
import type { SectionContext } from "./sections.js";

/** The mobile caller's token means nothing to a vendor: a section can ask one only with the BFF's own credential. */
export function withoutCredential(vendor: string): AppError {
  return new AppError("unavailable", { detail: `${vendor} is answered by its vendor, and the BFF has no credential of its own for it.` });
}

/**
 * Asks a family's upstream vendor one route for an overview section: `vendor` names it in the
 * section's error ("The bank"). Only an account serving the caller's organisation is asked (its
 * forbidden error otherwise), only with the BFF's own vendor credential (without one the section
 * is unavailable), within the section's deadline.
 */
export type UpstreamAsk = <T>(
  vendor: string,
  route: string,
  request: Omit<UpstreamRequest, "headers"> & { headers?: Record<string, string> },
  context: SectionContext,
) => Promise<T>;

/** The asker of one upstream, each call under a section deadline of `sectionTimeoutMs` (MOBILE_SECTION_TIMEOUT_MS). */
export function upstreamAsk(upstream: Upstream, sectionTimeoutMs: number): UpstreamAsk {
  return async <T>(vendor: string, route: string, request: Omit<UpstreamRequest, "headers"> & { headers?: Record<string, string> }, context: SectionContext): Promise<T> => {
    const access = await upstream.access.accessFor(context.orgId);
    if (access.kind !== "vendor") throw withoutCredential(vendor);
    const ids = { requestId: context.requestId ?? randomUUID(), transactionId: randomUUID() };
    const headers = { ...request.headers, ...upstream.spec.correlation(request.headers ?? {}, ids) };
    const answer = await callThrough(upstream, route, { ...request, headers }, { ids, deadline: deadlineAfter(performance.now(), sectionTimeoutMs), access, callerCredentials: {} });
    return answer.body as T;
  };
}
