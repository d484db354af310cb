/**
 * Group commit: items submitted while a commit is in flight wait and are committed together in the next one, so
 * under load many calls share one transaction (one WAL write on SQLite, one round trip and fsync on PostgreSQL)
 * while a lone call is committed at once, without waiting for company. Each submitter's promise settles only
 * after the transaction holding its item committed (or failed).
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private draining = false;
  private scheduled = false;

  /**
   * `commit` stores a batch in one transaction and returns one result per item, in order. When a batch of several
   * fails, each item is tried alone, so one bad item cannot fail the others.
   */
  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 200,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.draining || this.scheduled) return;
      // Start after the requests read in this turn of the event loop have submitted too: with a synchronous
      // driver (SQLite) a commit would otherwise finish before the next request is even parsed, one call each.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.commit(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const b of batch) await this.commit([b.item]).then(([r]) => b.resolve(r!), b.reject);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
