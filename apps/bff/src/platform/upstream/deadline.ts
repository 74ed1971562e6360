/** When a request's budget (REQUEST_TIMEOUT_MS from its arrival) runs out. */
export type Deadline = { readonly at: number };

export function deadlineAfter(startedAt: number, budgetMs: number): Deadline {
  return { at: startedAt + budgetMs };
}

export function remainingMs(deadline: Deadline, now = performance.now()): number {
  return Math.max(0, Math.floor(deadline.at - now));
}

/** The time one attempt may take: what remains of the budget, capped by the upstream's own timeout. */
export function attemptTimeoutMs(deadline: Deadline, capMs: number | undefined): number {
  const remaining = remainingMs(deadline);
  return capMs === undefined ? remaining : Math.min(remaining, capMs);
}
