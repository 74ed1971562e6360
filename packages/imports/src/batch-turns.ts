/** Gives the right to write one batch to one organisation at a time, round-robin across organisations. */
export class BatchTurns {
  private busy = false;
  /** Organisations waiting for a turn, in the order they are served (a Map keeps insertion order). */
  private readonly waiting = new Map<string, (() => void)[]>();

  /** Resolves when `orgId` may write a batch; call the function it gives once the batch is written. */
  take(orgId: string): Promise<() => void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.release);
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(orgId) ?? [];
      queue.push(() => resolve(this.release));
      this.waiting.set(orgId, queue);
    });
  }

  private readonly release = (): void => {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.busy = false;
      return;
    }
    const [orgId, queue] = next.value;
    const grant = queue.shift();
    // Served: the organisation goes to the back of the line, if it still waits.
    this.waiting.delete(orgId);
    if (queue.length > 0) this.waiting.set(orgId, queue);
    grant?.();
  };
}
