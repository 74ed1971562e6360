/** Process-wide state the readiness check reports. */
export type Lifecycle = { shuttingDown: boolean };

export function createLifecycle(): Lifecycle {
  return { shuttingDown: false };
}
