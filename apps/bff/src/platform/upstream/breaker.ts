import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { isUpstreamFailure, UpstreamFailure } from "./failure.js";

export type BreakerState = "closed" | "open" | "half-open";

export type Breaker = {
  /** Runs the call unless the breaker is open (then fails fast with an `UpstreamFailure("breaker_open")`). */
  execute<T>(call: () => Promise<T>): Promise<T>;
  state(): BreakerState;
};

function stateName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return "closed";
    case CircuitState.HalfOpen:
      return "half-open";
    default:
      return "open";
  }
}

/**
 * A circuit breaker (cockatiel) per upstream: `failures` consecutive upstream failures open it;
 * while open every call fails fast; after `resetMs` one probe goes through (half-open) and its
 * success closes it again. Answers the upstream gave on purpose (4xx) are not failures, nor is a
 * credential that could not be obtained or was refused: that is one account's trouble (with
 * per-organisation credentials, one tenant's), not the vendor's, and must not fail the others.
 */
export function createBreaker(options: { failures: number; resetMs: number; onStateChange?: (state: BreakerState) => void }): Breaker {
  const policy: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => isUpstreamFailure(error) && error.reason !== "breaker_open" && error.reason !== "credentials"),
    { halfOpenAfter: options.resetMs, breaker: new ConsecutiveBreaker(options.failures) },
  );
  policy.onStateChange((state) => options.onStateChange?.(stateName(state)));
  return {
    async execute(call) {
      try {
        return await policy.execute(call);
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw new UpstreamFailure("breaker_open", "the circuit breaker is open");
        throw error;
      }
    },
    state: () => stateName(policy.state),
  };
}
