/**
 * The threads of a pool: which are alive, which one takes the next task, when another one
 * starts and when one stops. It knows threads, not tasks: what happens to the tasks of a
 * thread that dies is the dispatcher's.
 *
 * Which thread: the least loaded live one, preferring one that is up (and not stuck on an
 * aborted handler) to one that boots. A new thread starts when every live thread is busy and
 * there are fewer than `max`; at least `min` are kept (started at once, and again after
 * threads die). A thread above `min` that stays idle for `idleTimeout` ms is stopped. After
 * the handler module failed to load, no thread starts before `LoadBackoff` allows.
 */
import { PoolClosedError } from '../errors.js';
import { LoadBackoff } from './load-backoff.js';
import { Thread, type ThreadHooks, type ThreadSpec, type ThreadStats } from './thread.js';

/** How a pool's threads are started and how many it keeps. */
export interface RosterSettings {
  spec: ThreadSpec;
  min: number;
  max: number;
  idleTimeout: number;
  /** Whether tasks wait in the pool's queue (then a starting thread keeps the process alive). */
  hasWork: () => boolean;
}

/** The stop reason of a thread stopped for being idle. */
const IDLE = Symbol('idle');

export class ThreadRoster {
  readonly backoff = new LoadBackoff();
  readonly #settings: RosterSettings;
  readonly #hooks: ThreadHooks;
  readonly #threads = new Set<Thread>();
  #respawnTimer: NodeJS.Timeout | undefined = undefined;
  #closed = false;

  /** Starts the first `min` threads. */
  constructor(settings: RosterSettings, hooks: ThreadHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
    // The pool's first threads keep the process alive while they start only if work is
    // already waiting for them: an idle pool never does.
    this.#fillToMin(settings.hasWork());
  }

  /** Threads started and not yet gone. */
  get count(): number {
    let count = 0;
    for (const thread of this.#threads) if (thread.alive) count++;
    return count;
  }

  /** Live threads, and how many of them are up and not stuck on an aborted handler. */
  tally(): { live: number; ready: number } {
    let live = 0;
    let ready = 0;
    for (const thread of this.#threads) {
      if (!thread.alive) continue;
      live++;
      if (isReady(thread)) ready++;
    }
    return { live, ready };
  }

  /**
   * The thread for the next task: an idle one that is up, else a new one while fewer than
   * `max` run and all are busy, else the least loaded (preferring one that is up).
   * `undefined` when none is alive and none may start (the module failed to load, recently).
   */
  pick(): Thread | undefined {
    let best: Thread | undefined;
    let bestReady: Thread | undefined;
    let live = 0;
    for (const thread of this.#threads) {
      if (!thread.alive) continue;
      live++;
      if (best === undefined || thread.load < best.load) best = thread;
      if (isReady(thread) && (bestReady === undefined || thread.load < bestReady.load)) {
        bestReady = thread;
      }
    }
    if (bestReady !== undefined && bestReady.load === 0) return bestReady;
    const mayStart = !this.#closed && this.backoff.mayStart();
    if (mayStart && live < this.#settings.max && (best === undefined || best.load > 0)) {
      // Started for work: it keeps the process alive until it is up, as tasks may be waiting
      // for it in the pool's queue (a retry, a job a map pulls) with nothing else holding it.
      return this.#start(true);
    }
    return bestReady ?? best;
  }

  /** Work waits for a thread: make sure one is starting, and keep the process alive meanwhile. */
  wake(): void {
    if (this.#closed) return;
    if (this.count === 0 && this.backoff.mayStart()) this.#start(true);
    for (const thread of this.#threads) thread.holdWhileStarting();
  }

  /** Starts threads up to `min` (after the load backoff, if the module failed to load). */
  fillToMin(): void {
    this.#fillToMin(true);
  }

  /** The thread became idle: stop it after `idleTimeout` ms if it stays so and is above `min`. */
  retireWhenIdle(thread: Thread): void {
    if (this.#closed || this.count <= this.#settings.min || thread.idleTimer !== undefined) {
      return;
    }
    thread.idleTimer = setTimeout(() => {
      thread.idleTimer = undefined;
      if (thread.load === 0 && thread.alive && this.count > this.#settings.min) {
        void thread.stop(IDLE);
      }
    }, this.#settings.idleTimeout);
    thread.idleTimer.unref();
  }

  /** The thread has exited: forget it. */
  remove(thread: Thread): void {
    this.#threads.delete(thread);
    clearTimeout(thread.idleTimer);
  }

  /** Per-thread numbers for `stats`. */
  stats(): ThreadStats[] {
    const out: ThreadStats[] = [];
    for (const thread of this.#threads) {
      if (!thread.alive) continue;
      out.push({
        threadId: thread.threadId,
        running: thread.load,
        completed: thread.completed,
        utilization: thread.utilization(),
      });
    }
    return out;
  }

  /** Starts no more threads from now on. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#respawnTimer);
  }

  /** Stops every thread (after `close`). */
  async stopAll(): Promise<void> {
    const stopping: Promise<number>[] = [];
    for (const thread of this.#threads) {
      clearTimeout(thread.idleTimer);
      stopping.push(thread.stop(new PoolClosedError()));
    }
    await Promise.all(stopping);
  }

  #start(hold: boolean): Thread {
    const thread = new Thread(this.#settings.spec, this.#hooks);
    this.#threads.add(thread);
    if (hold) thread.holdWhileStarting();
    return thread;
  }

  #fillToMin(hold: boolean): void {
    if (this.#closed) return;
    let live = this.count;
    if (live >= this.#settings.min) return;
    const wait = this.backoff.wait();
    if (wait > 0) {
      if (this.#respawnTimer === undefined) {
        this.#respawnTimer = setTimeout(() => {
          this.#respawnTimer = undefined;
          this.#fillToMin(true);
        }, wait);
        this.#respawnTimer.unref();
      }
      return;
    }
    for (; live < this.#settings.min; live++) this.#start(hold);
  }
}

/** Up, and not stuck on an aborted handler: a thread a task can start on soon. */
function isReady(thread: Thread): boolean {
  return thread.state === 'ready' && thread.draining === 0;
}
