/**
 * "There is work": whoever enqueues notifies, idle workers in this process listen and look at once instead of at
 * their next poll. Built with the shared deps, so nothing has to patch them after start.
 */
export class WorkSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const l of this.listeners) l();
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
