/** A FIFO lock: PGlite has one session, so a Kysely "connection" (and any transaction) must own it whole. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** Holders and waiters. */
  private users = 0;
  /** When the last holder released it with no one waiting (performance.now()). */
  private freeSince = 0;

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    this.users++;
    const done = () => {
      if (--this.users === 0) this.freeSince = performance.now();
      release();
    };
    const ready = this.tail.then(() => done);
    this.tail = this.tail.then(() => next);
    return ready;
  }

  /** How long it has been free, with no one waiting (0 while held). */
  idleMs(): number {
    return this.users > 0 ? 0 : performance.now() - this.freeSince;
  }
}
