/**
 * Runs a task one at a time. A call joins the run that is queued but not yet
 * started, if there is one; otherwise it queues a run behind the one in
 * progress. So a burst of triggers costs at most one sweep more, no two sweeps
 * of one instance overlap, and every caller gets a sweep that began after it asked.
 */
export class SerialRunner<T> {
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<T> | undefined;

  constructor(private readonly task: () => Promise<T>) {}

  run(): Promise<T> {
    if (this.queued !== undefined) return this.queued;
    const queued: Promise<T> = this.tail.then(() => {
      // Started: later callers must queue behind this run rather than join it.
      this.queued = undefined;
      return this.task();
    });
    this.queued = queued;
    this.tail = queued.catch(() => undefined);
    return queued;
  }
}
