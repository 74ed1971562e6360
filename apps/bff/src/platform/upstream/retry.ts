import { setTimeout as sleep } from "node:timers/promises";
import { remainingMs, type Deadline } from "./deadline.js";
import { isUpstreamFailure } from "./failure.js";

const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 1_000;

/** Full jitter (AWS architecture blog): a random delay up to the exponential backoff of this attempt. */
export function jitteredDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

/**
 * Runs `attempt` and, while it fails with a retryable upstream failure (connection error, 503),
 * again up to `retries` more times after a jittered delay — never past the deadline: a retry
 * whose delay would end after it is not made, and the last failure stands.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: { retries: number; deadline: Deadline }): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= options.retries || !isUpstreamFailure(error) || !error.retryable) throw error;
      const delay = jitteredDelayMs(n);
      if (delay >= remainingMs(options.deadline)) throw error;
      await sleep(delay);
    }
  }
}
