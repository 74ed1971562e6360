/** Why an upstream call gave no usable answer. */
export type UpstreamFailureReason =
  /** Refused, reset or unreachable. */
  | "connection"
  /** No complete answer before the call's deadline. */
  | "timeout"
  /** A 5xx, a redirect or a status the contract does not list. */
  | "status"
  /** An answer that does not match the contract's response schema for its status (or is not JSON). */
  | "invalid"
  /** A body over UPSTREAM_MAX_RESPONSE_BYTES. */
  | "too_large"
  /** The circuit breaker is open: the call was not made. */
  | "breaker_open"
  /** The vendor credentials could not be obtained (token endpoint down or refusing). */
  | "credentials";

/** An upstream call that failed on the upstream's side; never shown to a client as it is. */
export class UpstreamFailure extends Error {
  constructor(
    readonly reason: UpstreamFailureReason,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "UpstreamFailure";
  }

  /** Worth another attempt (of an idempotent call): the connection failed, or the upstream said 503. */
  get retryable(): boolean {
    return this.reason === "connection" || (this.reason === "status" && this.status === 503);
  }
}

export function isUpstreamFailure(value: unknown): value is UpstreamFailure {
  return value instanceof UpstreamFailure;
}
