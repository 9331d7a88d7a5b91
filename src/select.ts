/**
 * select / trySelect / after: Go's `select` statement over channel cases.
 *
 * A select runs in two phases, each synchronous:
 * 1. poll: visit the cases in a fresh random order and complete the first that is ready
 *    (so each ready case is equally likely to fire);
 * 2. wait (select only, when nothing was ready): link one waiter per channel case into
 *    that channel's queue, arm one timer for the earliest `after` case, listen to the
 *    signal. The first event to reach the selection claims it; claiming unlinks every
 *    other waiter, clears the timer and drops the listener before anything else runs,
 *    so exactly one case fires and the others consume or deliver nothing.
 */
import { InvalidOptionError } from './errors.js';
import { brand } from './internal/brand.js';
import type { Channel, WaitOptions } from './channel.js';
import { waiterQueues } from './channel.js';
import type { Receiver, Sender } from './internal/channel-waiters.js';
import { checkNumber, checkObject, optionalSignal } from './internal/validate.js';
import type { WaiterNode, WaiterQueue } from './internal/waiter-queue.js';
import { rejectWith } from './internal/reject-with.js';

/**
 * The brand of select's cases: a registered symbol, the same in every copy of crew, so that
 * a case made by the ESM build is accepted by the CommonJS build's select and the other way
 * round (see `kWaiterQueues` in channel.ts).
 */
const kCase = Symbol.for('crew.selectCase');

/** A receive case, made by `channel.onReceive()`: ready when a receive would not wait. */
export class ReceiveCase<T> {
  readonly kind = 'receive' as const;
  constructor(readonly channel: Channel<T>) {}
}

/** A send case, made by `channel.onSend(value)`: ready when that send would not wait. */
export class SendCase<T> {
  readonly kind = 'send' as const;
  constructor(
    readonly channel: Channel<T>,
    readonly value: T,
  ) {}
}

/**
 * A timer case, made by {@link after}: ready once its delay, counted from the call to
 * `after()`, has passed; it stays ready from then on, so one `after()` can serve as the
 * deadline of many selects.
 */
export class AfterCase {
  readonly kind = 'after' as const;
  /** The delay in milliseconds. */
  readonly ms: number;
  /** When the case becomes ready, on the `performance.now()` clock. */
  readonly deadline: number;

  constructor(ms: number) {
    this.ms = ms;
    this.deadline = performance.now() + ms;
  }
}

for (const kind of [ReceiveCase, SendCase, AfterCase]) {
  Object.defineProperty(kind.prototype, kCase, { value: true });
}

function isCase(value: unknown): value is SelectCase {
  return brand(value, kCase) === true;
}

/** Any case a select accepts. */
export type SelectCase = ReceiveCase<unknown> | SendCase<unknown> | AfterCase;

/** The cases of a select, by name. */
export type SelectCases = Record<string, SelectCase>;

/**
 * What a select returns: the name of the case that fired in `case` (a string, as
 * `Object.keys` gives it); for a receive case
 * also `value` and `ok` as `receive()` gives them (`ok: false`: closed and drained).
 */
export type SelectResult<C extends SelectCases> = {
  [K in keyof C & (string | number)]: C[K] extends ReceiveCase<infer T>
    ? { case: `${K}`; value: T; ok: true } | { case: `${K}`; value: undefined; ok: false }
    : { case: `${K}` };
}[keyof C & (string | number)];

/**
 * Waits until one of `cases` can proceed, completes exactly that one, and returns its
 * result. Among cases ready at once the choice is uniformly random. The cases that do
 * not fire withdraw without consuming or delivering anything, and a timer of an `after`
 * case that loses is cleared.
 *
 * Rejects with {@link ChannelClosedError} if the chosen case is a send to a closed
 * channel (where Go panics), and with `signal.reason` on abort (then no case fired). An
 * already-aborted signal rejects at once, even if a case is ready.
 *
 * @example
 * ```ts
 * const jobs = new Channel<number>(1);
 * await jobs.send(7);
 * const r = await select({ job: jobs.onReceive(), tick: after(100) });
 * if (r.case === 'job' && r.ok) console.log('job', r.value); // job 7
 * ```
 */
export function select<C extends SelectCases>(
  cases: C,
  options?: WaitOptions,
): Promise<SelectResult<C>> {
  const keys = caseKeys(cases);
  const signal = optionalSignal(options);
  if (signal?.aborted) return rejectWith(signal.reason);
  let ready: Result | undefined;
  try {
    ready = poll(cases, keys);
  } catch (error) {
    return rejectWith(error);
  }
  if (ready !== undefined) return Promise.resolve(ready) as Promise<SelectResult<C>>;
  return new Promise<SelectResult<C>>((resolve, reject) => {
    new Selection(cases, keys, signal, resolve as (r: Result) => void, reject);
  });
}

/**
 * Go's `select` with a `default` case: completes one ready case (uniformly random among
 * the ready ones) and returns its result, or returns `undefined` if none is ready.
 * Throws {@link ChannelClosedError} if the chosen case is a send to a closed channel.
 */
export function trySelect<C extends SelectCases>(cases: C): SelectResult<C> | undefined {
  return poll(cases, caseKeys(cases)) as SelectResult<C> | undefined;
}

/**
 * A case that becomes ready `ms` milliseconds after this call (Go's `time.After`). Its
 * timer runs only while a select waits on it, and is cleared when another case wins.
 */
export function after(ms: number): AfterCase {
  return new AfterCase(checkNumber('ms', ms, 0));
}

type Result = { case: string; value?: unknown; ok?: boolean };

function caseKeys(cases: SelectCases): string[] {
  checkObject('cases', cases);
  const keys = Object.keys(cases);
  if (keys.length === 0) {
    throw new InvalidOptionError('cases', cases, 'an object with at least one case');
  }
  for (const key of keys) {
    const c = cases[key];
    if (!isCase(c)) {
      throw new InvalidOptionError(
        `cases.${key}`,
        c,
        'a case from onReceive(), onSend(value) or after(ms)',
      );
    }
  }
  return keys;
}

/** Completes one ready case, visiting them in random order; `undefined` if none is ready. */
function poll(cases: SelectCases, keys: string[]): Result | undefined {
  const n = keys.length;
  for (let i = 0; i < n; i++) {
    // Fisher–Yates, one step at a time: keys[i] is uniform over those not yet visited.
    const j = i + Math.floor(Math.random() * (n - i));
    const key = keys[j]!;
    keys[j] = keys[i]!;
    keys[i] = key;
    const c = cases[key]!;
    switch (c.kind) {
      case 'receive': {
        const r = c.channel.tryReceive();
        if (r !== undefined) return { case: key, value: r.value, ok: r.ok };
        break;
      }
      case 'send':
        if (c.channel.trySend(c.value)) return { case: key };
        break;
      case 'after':
        if (performance.now() >= c.deadline) return { case: key };
        break;
    }
  }
  return undefined;
}

/** One select that waits: owns one waiter per channel case, the timer and the abort listener. */
class Selection {
  readonly #entries: Entry[] = [];
  readonly #signal: AbortSignal | undefined;
  readonly #resolve: (result: Result) => void;
  readonly #reject: (reason: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settled = false;

  constructor(
    cases: SelectCases,
    keys: string[],
    signal: AbortSignal | undefined,
    resolve: (result: Result) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    let timerKey: string | undefined;
    let deadline = Infinity;
    for (const key of keys) {
      const c = cases[key]!;
      if (c.kind === 'after') {
        if (c.deadline < deadline) [timerKey, deadline] = [key, c.deadline];
        continue;
      }
      const entry = new Entry(this, key, c.kind === 'send' ? c.value : undefined);
      this.#entries.push(entry);
      const queues = waiterQueues(c.channel);
      if (c.kind === 'receive') queues.receivers.push(entry);
      else queues.senders.push(entry);
    }
    if (timerKey !== undefined) this.#arm(timerKey, deadline);
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  /**
   * Arms the timer of the earliest `after` case. Node's timers may fire a little before
   * `performance.now()` reaches the deadline (they count from the event loop's cached
   * time); then re-arm for the rest, so a case that fired is one that `poll` sees ready.
   */
  #arm(key: string, deadline: number): void {
    this.#timer = setTimeout(
      () => {
        if (performance.now() >= deadline) this.win({ case: key });
        else this.#arm(key, deadline);
      },
      Math.max(0, Math.ceil(deadline - performance.now())),
    );
  }

  /** Claims the selection for one case; every other case withdraws. */
  win(result: Result): void {
    if (this.#withdraw()) this.#resolve(result);
  }

  fail(reason: unknown): void {
    if (this.#withdraw()) this.#reject(reason);
  }

  /** The abort listener. */
  handleEvent(): void {
    this.fail(this.#signal!.reason);
  }

  /** Unlinks every waiter, clears the timer and drops the listener; `false` if already settled. */
  #withdraw(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    for (const entry of this.#entries) entry.queue?.remove(entry);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#signal !== undefined) this.#signal.removeEventListener('abort', this);
    return true;
  }
}

/** One channel case of a waiting selection, linked into that channel's queue. */
class Entry implements Receiver<unknown>, Sender<unknown> {
  prev: WaiterNode | null = null;
  next: WaiterNode | null = null;
  queue: WaiterQueue<WaiterNode> | null = null;

  constructor(
    readonly selection: Selection,
    readonly key: string,
    readonly value: unknown,
  ) {}

  receive(value: unknown, ok: boolean): void {
    this.selection.win({ case: this.key, value, ok });
  }

  sent(): void {
    this.selection.win({ case: this.key });
  }

  fail(error: Error): void {
    this.selection.fail(error);
  }
}
