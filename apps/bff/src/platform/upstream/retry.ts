import { handleWhen, retry, type IBackoff, type IRetryBackoffContext } from "cockatiel";
import { remainingMs, type Deadline } from "./deadline.js";
import { isUpstreamFailure } from "./failure.js";

const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 1_000;

/** Full jitter (AWS architecture blog): a random delay up to the exponential backoff of this attempt. */
export function jitteredDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

/** A backoff that waits what was already drawn for the retry (cockatiel asks it once the retry is decided). */
function drawnBackoff(delay: () => number): IBackoff<IRetryBackoffContext<unknown>> {
  const backoff: IBackoff<IRetryBackoffContext<unknown>> = {
    get duration() {
      return delay();
    },
    next: () => backoff,
  };
  return backoff;
}

/**
 * Runs `attempt` and, while it fails with a retryable upstream failure (connection error, 503),
 * again up to `retries` more times after a jittered delay — never past the deadline: a retry
 * whose delay would end after it is not made, and the last failure stands. A cockatiel retry
 * policy per call: its delay is drawn when the failure is judged, so that the deadline can judge it.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: { retries: number; deadline: Deadline }): Promise<T> {
  let failed = 0;
  let delay = 0;
  const policy = retry(
    handleWhen((error) => {
      if (!isUpstreamFailure(error) || !error.retryable) return false;
      delay = jitteredDelayMs(failed);
      return delay < remainingMs(options.deadline);
    }),
    { maxAttempts: options.retries, backoff: drawnBackoff(() => delay) },
  );
  return policy.execute(({ attempt: n }) => {
    failed = n;
    return attempt(n);
  });
}
