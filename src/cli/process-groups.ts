/**
 * The process groups of the jobs running now. Every command runs as the leader of its own
 * process group (`detached: true`), so signalling `-pid` reaches the command and every process
 * it started, unless one of them deliberately left the group (`setsid`).
 *
 * A group is tracked from spawn until its leader has been reaped; the kernel does not reuse a
 * pid while it still names a live process group, so signalling a tracked group never hits a
 * stranger.
 */
export class ProcessGroups {
  readonly #live = new Set<number>();

  add(pid: number): void {
    this.#live.add(pid);
  }

  delete(pid: number): void {
    this.#live.delete(pid);
  }

  get size(): number {
    return this.#live.size;
  }

  /** Sends `signal` to the whole group led by `pid`; a group that is already gone is ignored. */
  static kill(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: every process of the group has exited already.
    }
  }

  /** Whether any process of the group led by `pid` is left (a zombie counts). */
  static alive(pid: number): boolean {
    try {
      process.kill(-pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  }

  /**
   * Resolves once no process of the group led by `pid` is left, or after `limit` ms (a member
   * that nobody reaps stays a zombie, and still counts). Checks every millisecond: it is used
   * only for stopped commands.
   */
  static whenGone(pid: number, limit: number): Promise<void> {
    const deadline = performance.now() + limit;
    return new Promise((resolve) => {
      const check = (): void => {
        if (!ProcessGroups.alive(pid) || performance.now() >= deadline) resolve();
        else setTimeout(check, 1);
      };
      check();
    });
  }

  /** Sends `signal` to every tracked group. Synchronous, so it is safe in an `exit` listener. */
  killAll(signal: NodeJS.Signals): void {
    for (const pid of this.#live) ProcessGroups.kill(pid, signal);
  }
}
