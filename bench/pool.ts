/**
 * Pool throughput and memory, side by side with the peers in the same run.
 *
 * How it measures: by default every (implementation, round) runs in a fresh child process
 * (the harness's `isolate` mode: `node --expose-gc --import tsx bench/pool.ts` with
 * `CREW_BENCH_CHILD` naming the case and implementation), one untimed warm-up round then
 * one measured round; rounds are interleaved across implementations (the order rotates)
 * and the table reports medians. Why: measured in one process, an implementation that runs
 * right after a peer that held 1,000,000 live promises ran at about half its speed (the
 * peer's garbage and grown heap are collected on its time), so the order decided the
 * result. `CREW_BENCH_ISOLATE=0` measures everything in one process, as before.
 * Each throughput case is reported twice: wall-clock ops/s, and ops per CPU-second of the
 * process that ran the round (GC included; steadier on a shared machine).
 *
 * - map: 1,000,000 no-op async jobs (`async (x) => x`) at concurrency 16, every result
 *   consumed. crew: `for await (const r of pool.map(input))` over a lazy input (pulled as room
 *   frees). Peers get their own idiom at their best: fastq (callback and promise APIs) and
 *   async.queue are handed every job up front; p-map maps an array; p-limit and p-queue
 *   wrap each call. The floor is a hand-written loop of 16 async workers sharing an index
 *   over an array; it neither pulls from an iterable nor hands its results to a consumer.
 *   A second floor line adds exactly that much of what `map` does: the 16 workers pull
 *   from the same lazy input and every result is yielded through a minimal async iterator
 *   and consumed with `for await`. A third line times that `for await` alone, over results
 *   that are always ready: what any `map` adds per result to running the job.
 * - run: 100,000 calls of `run(job)` (or the peer's equivalent), all awaited with Promise.all;
 *   crew also with `asyncContext: false`, to show what keeping the callers' context costs.
 *   Two floors: the least a pool can do for `run` (see `runFloor`), without and with keeping
 *   each waiting caller's async context, as crew does by default.
 * - memory: heap bytes per queued task, 1,000,000 tasks handed to a paused pool (nothing
 *   runs), measured with `global.gc()` before and after (run with `--expose-gc`).
 */
import { AsyncResource } from 'node:async_hooks';
import async from 'async';
import fastq from 'fastq';
import pLimit from 'p-limit';
import pMap from 'p-map';
import PQueue from 'p-queue';
import { Pool } from 'crew';
import { compare, report, throughput } from './harness.js';

const CONCURRENCY = 16;
const MAP_JOBS = Number(process.env.CREW_BENCH_MAP_JOBS ?? 1_000_000);
const RUN_JOBS = Number(process.env.CREW_BENCH_RUN_JOBS ?? 100_000);
const MEMORY_TASKS = Number(process.env.CREW_BENCH_MEMORY_TASKS ?? 1_000_000);
/**
 * Processes per throughput line and implementation. On a shared VM a process runs in a fast or
 * a slow mode for most of its life, for reasons outside the code (pinned to one core, with
 * ASLR off, a fixed seed and no concurrent compilation, the same `map` still read 1.1 or
 * 1.8 million ops/s): over 8 processes each, crew's `map` read 0.92–2.17 million and fastq's
 * callback API 1.31–1.79 million. With 5 processes a median could land on three slow ones
 * (a run read crew 1.06 million against fastq 1.62); 11 steady it, as in bench/channel.ts.
 */
const ROUNDS = Number(process.env.CREW_BENCH_ROUNDS ?? 11);
const ISOLATE = process.env.CREW_BENCH_ISOLATE !== '0';
/** A regular expression: only implementations whose name matches run (for a quick look). */
const ONLY = new RegExp(process.env.CREW_BENCH_ONLY ?? '');

function only<T>(cases: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(cases).filter(([name]) => ONLY.test(name)));
}

/** The no-op async job every implementation runs. */
function noop(x: number): Promise<number> {
  return Promise.resolve(x);
}

/** A lazy input of `n` numbers (what a generator would give, without its overhead). */
function range(n: number): Iterable<number> {
  return {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next: (): IteratorResult<number> =>
          i < n ? { value: i++, done: false } : { value: undefined, done: true },
      };
    },
  };
}

function array(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function check(got: number, want: number): void {
  if (got !== want) throw new Error(`expected ${want} results, got ${got}`);
}

const mapCases = (n: number): Record<string, () => Promise<number>> => ({
  'crew map': () =>
    throughput(n, async () => {
      const pool = new Pool(noop, { concurrency: CONCURRENCY });
      let count = 0;
      for await (const r of pool.map(range(n))) if (r.ok) count++;
      await pool.close();
      check(count, n);
    }),
  'crew map (ordered)': () =>
    throughput(n, async () => {
      const pool = new Pool(noop, { concurrency: CONCURRENCY });
      let count = 0;
      for await (const r of pool.map(range(n), { ordered: true })) if (r.ok) count++;
      await pool.close();
      check(count, n);
    }),
  'fastq (callback)': () =>
    throughput(
      n,
      () =>
        new Promise<void>((resolve) => {
          const q = fastq((x: number, cb: (err: Error | null, r?: number) => void) => {
            noop(x).then((r) => cb(null, r), cb);
          }, CONCURRENCY);
          let count = 0;
          const done = (err: Error | null): void => {
            if (err === null && ++count === n) resolve();
          };
          for (let i = 0; i < n; i++) q.push(i, done);
        }),
    ),
  'fastq (promise)': () =>
    throughput(n, async () => {
      const q = fastq.promise(noop, CONCURRENCY);
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = q.push(i);
      check((await Promise.all(all)).length, n);
    }),
  'async.queue': () =>
    throughput(
      n,
      () =>
        new Promise<void>((resolve) => {
          // async.queue's typed worker callback takes only an error; the value is dropped.
          const q = async.queue<number>((x, cb) => {
            noop(x).then(() => cb(), cb);
          }, CONCURRENCY);
          let count = 0;
          for (let i = 0; i < n; i++) {
            q.push<number>(i, () => {
              if (++count === n) resolve();
            });
          }
        }),
    ),
  'p-map': () =>
    throughput(n, async () => {
      check((await pMap(array(n), noop, { concurrency: CONCURRENCY })).length, n);
    }),
  'p-limit': () =>
    throughput(n, async () => {
      const limit = pLimit(CONCURRENCY);
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = limit(noop, i);
      check((await Promise.all(all)).length, n);
    }),
  'p-queue': () =>
    throughput(n, async () => {
      const q = new PQueue({ concurrency: CONCURRENCY });
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = q.add(() => noop(i));
      check((await Promise.all(all)).length, n);
    }),
  'floor: 16 hand-written workers': () =>
    throughput(n, async () => {
      let next = 0;
      let count = 0;
      const worker = async (): Promise<void> => {
        while (next < n) {
          await noop(next++);
          count++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      check(count, n);
    }),
  // What a consumer's `for await` alone costs, with every result ready when asked: no jobs,
  // no workers. Any `map` does this much per result on top of running the job, so it runs
  // at most at 1 / (1 / floor + 1 / this) ops/s.
  'floor: for-await alone, results ready': () =>
    throughput(n, async () => {
      let count = 0;
      for await (const r of readyResults(n)) if (r >= 0) count++;
      check(count, n);
    }),
  'floor + iterable in, for-await out': () =>
    throughput(n, async () => {
      let count = 0;
      for await (const r of floorStream(range(n))) if (r >= 0) count++;
      check(count, n);
    }),
});

/** An async iterable of `n` numbers whose `next()` always returns an already-resolved promise. */
function readyResults(n: number): AsyncIterable<number> {
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: (): Promise<IteratorResult<number>> =>
          Promise.resolve(i < n ? { value: i++, done: false } : { value: undefined, done: true }),
      };
    },
  };
}

/**
 * The second floor: 16 hand-written workers pull jobs from an iterator and hand every
 * result to a consumer through a minimal async iterator (a buffer and one pending `next()`).
 */
function floorStream(input: Iterable<number>): AsyncIterable<number> {
  const jobs = input[Symbol.iterator]();
  const buffer: number[] = [];
  let head = 0;
  let live = CONCURRENCY;
  let waiting: ((r: IteratorResult<number>) => void) | undefined;
  const deliver = (): void => {
    if (waiting === undefined) return;
    const resolve = waiting;
    if (head < buffer.length) {
      waiting = undefined;
      resolve({ value: buffer[head++]!, done: false });
    } else if (live === 0) {
      waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  };
  const worker = async (): Promise<void> => {
    for (let step = jobs.next(); step.done !== true; step = jobs.next()) {
      buffer.push(await noop(step.value));
      if (head > 1024 && head * 2 > buffer.length) {
        buffer.splice(0, head);
        head = 0;
      }
      deliver();
    }
    live--;
    deliver();
  };
  for (let i = 0; i < CONCURRENCY; i++) void worker();
  return {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<number>> => {
        if (head < buffer.length) return Promise.resolve({ value: buffer[head++]!, done: false });
        if (live === 0) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
    }),
  };
}

const runCases = (n: number): Record<string, () => Promise<number>> => ({
  'crew run': () =>
    throughput(n, async () => {
      const pool = new Pool(noop, { concurrency: CONCURRENCY });
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = pool.run(i);
      check((await Promise.all(all)).length, n);
      await pool.close();
    }),
  // The same without the callers' async context (an AsyncResource per waiting task): what the
  // guarantee costs. Not the headline: crew keeps the context by default.
  'crew run (asyncContext: false)': () =>
    throughput(n, async () => {
      const pool = new Pool(noop, { concurrency: CONCURRENCY, asyncContext: false });
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = pool.run(i);
      check((await Promise.all(all)).length, n);
      await pool.close();
    }),
  'fastq (promise)': mapCases(n)['fastq (promise)']!,
  'p-limit': mapCases(n)['p-limit']!,
  'p-queue': mapCases(n)['p-queue']!,
  'floor: minimal run(), no context': () => runFloor(n, false),
  'floor: minimal run(), context kept': () => runFloor(n, true),
});

/** A waiting task of the minimal pool below. */
class Waiting {
  constructor(
    readonly job: number,
    readonly resolve: (value: number) => void,
    readonly reject: (error: unknown) => void,
    readonly context: AsyncResource | undefined,
  ) {}
}

/**
 * The floor for `run`: the least a pool can do for `run(job)` — a promise per task, a FIFO
 * array of waiting tasks, at most 16 handlers running — with no stats, events, retries,
 * timeouts, priorities or cancellation. With `keepContext`, each task that has to wait
 * also keeps its caller's async context (an AsyncResource, Node's cheapest public way to
 * capture one, as crew does by default) and its handler runs in it; what that alone costs
 * is the difference between the two floor lines.
 */
function runFloor(n: number, keepContext: boolean): Promise<number> {
  return throughput(n, async () => {
    const queue: (Waiting | undefined)[] = [];
    let head = 0;
    let running = 0;
    const start = (job: number, resolve: Waiting['resolve'], reject: Waiting['reject']): void => {
      running++;
      noop(job).then(
        (value) => {
          resolve(value);
          done();
        },
        (error: unknown) => {
          reject(error);
          done();
        },
      );
    };
    const done = (): void => {
      running--;
      if (head === queue.length) return;
      const next = queue[head]!;
      queue[head++] = undefined;
      if (head === queue.length) queue.length = head = 0;
      if (next.context === undefined) start(next.job, next.resolve, next.reject);
      else next.context.runInAsyncScope(start, undefined, next.job, next.resolve, next.reject);
    };
    const run = (job: number): Promise<number> =>
      new Promise<number>((resolve, reject) => {
        if (running < CONCURRENCY) start(job, resolve, reject);
        else {
          const context = keepContext ? new AsyncResource('floor') : undefined;
          queue.push(new Waiting(job, resolve, reject, context));
        }
      });
    const all = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i++) all[i] = run(i);
    check((await Promise.all(all)).length, n);
  });
}

/**
 * What the memory cases keep each task's handle in (so that nothing is collected). It is
 * sized before the baseline is read, so its slots are not counted as the pool's memory.
 */
let held: unknown[] = [];

function heapPerTask(n: number, fill: (i: number) => void, cleanup: () => Promise<void>) {
  return async (): Promise<number> => {
    held = new Array<unknown>(n).fill(null); // the benchmark's own array, before the baseline
    globalThis.gc!();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) fill(i);
    globalThis.gc!();
    const after = process.memoryUsage().heapUsed;
    await cleanup();
    return (after - before) / n;
  };
}

async function memoryCases(n: number): Promise<void> {
  if (globalThis.gc === undefined) {
    console.error('memory case skipped: run with --expose-gc');
    return;
  }
  let pool: Pool<number, number> | undefined;
  let q: ReturnType<typeof fastq.promise<unknown, number, number>> | undefined;
  let pq: PQueue | undefined;
  await compare(
    'pool',
    `memory: ${n.toLocaleString('en-US')} tasks queued, paused`,
    {
      'crew trySubmit (Task kept)': async () => {
        pool = new Pool(noop, { concurrency: CONCURRENCY });
        pool.pause();
        return heapPerTask(
          n,
          (i) => {
            held[i] = pool!.trySubmit(i);
          },
          async () => {
            held.length = 0;
            await pool!.abort();
          },
        )();
      },
      'crew run (promise kept)': async () => {
        pool = new Pool(noop, { concurrency: CONCURRENCY });
        pool.pause();
        return heapPerTask(
          n,
          (i) => {
            held[i] = pool!.run(i);
          },
          async () => {
            held.length = 0;
            await pool!.abort();
          },
        )();
      },
      'fastq (promise), paused': async () => {
        q = fastq.promise(noop, CONCURRENCY);
        q.pause();
        return heapPerTask(
          n,
          (i) => {
            held[i] = q!.push(i);
          },
          async () => {
            held.length = 0;
            q!.kill();
            await Promise.resolve();
          },
        )();
      },
      'p-queue, paused': async () => {
        pq = new PQueue({ concurrency: CONCURRENCY, autoStart: false });
        return heapPerTask(
          n,
          (i) => {
            held[i] = pq!.add(() => noop(i));
          },
          async () => {
            held.length = 0;
            pq!.clear();
            await Promise.resolve();
          },
        )();
      },
    },
    {
      rounds: Math.min(ROUNDS, 3),
      unit: 'bytes/task',
      higherIsBetter: false,
      isolate: ISOLATE,
      warmup: ISOLATE ? 0 : 1,
    },
  );
}

await compare(
  'pool',
  `map: ${MAP_JOBS.toLocaleString('en-US')} no-op async jobs, c=16`,
  only(mapCases(MAP_JOBS)),
  { rounds: ROUNDS, isolate: ISOLATE, cpuOps: MAP_JOBS },
);
await compare(
  'pool',
  `run: ${RUN_JOBS.toLocaleString('en-US')} no-op async jobs, c=16`,
  only(runCases(RUN_JOBS)),
  { rounds: ROUNDS, isolate: ISOLATE, cpuOps: RUN_JOBS },
);
await memoryCases(MEMORY_TASKS);
report('Pool');
