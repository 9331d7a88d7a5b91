/**
 * Pool throughput and memory, side by side with the peers, in one process.
 *
 * - map: 1,000,000 no-op async jobs (`async (x) => x`) at concurrency 16, every result
 *   consumed. crew: `for await (const r of pool.map(input))` over a lazy input (pulled as room
 *   frees). Peers get their own idiom at their best: fastq (callback and promise APIs) and
 *   async.queue are handed every job up front; p-map maps an array; p-limit and p-queue
 *   wrap each call. The floor is a hand-written loop of 16 async workers sharing an index.
 * - run: 100,000 calls of `run(job)` (or the peer's equivalent), all awaited with Promise.all.
 * - memory: heap bytes per queued task, 1,000,000 tasks handed to a paused pool (nothing
 *   runs), measured with `global.gc()` before and after (run with `--expose-gc`).
 */
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
const ROUNDS = Number(process.env.CREW_BENCH_ROUNDS ?? 5);
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
});

const runCases = (n: number): Record<string, () => Promise<number>> => ({
  'crew run': () =>
    throughput(n, async () => {
      const pool = new Pool(noop, { concurrency: CONCURRENCY });
      const all = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) all[i] = pool.run(i);
      check((await Promise.all(all)).length, n);
      await pool.close();
    }),
  'fastq (promise)': mapCases(n)['fastq (promise)']!,
  'p-limit': mapCases(n)['p-limit']!,
  'p-queue': mapCases(n)['p-queue']!,
});

function heapPerTask(n: number, fill: (i: number) => void, cleanup: () => Promise<void>) {
  return async (): Promise<number> => {
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
  const held: unknown[] = [];
  await compare(
    'pool',
    `memory: ${n.toLocaleString('en-US')} tasks queued, paused`,
    {
      'crew trySubmit (Task kept)': async () => {
        pool = new Pool(noop, { concurrency: CONCURRENCY });
        pool.pause();
        return heapPerTask(
          n,
          (i) => held.push(pool!.trySubmit(i)),
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
          (i) => held.push(pool!.run(i)),
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
          (i) => held.push(q!.push(i)),
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
          (i) => held.push(pq!.add(() => noop(i))),
          async () => {
            held.length = 0;
            pq!.clear();
            await Promise.resolve();
          },
        )();
      },
    },
    { rounds: Math.min(ROUNDS, 3), unit: 'bytes/task', higherIsBetter: false },
  );
}

/**
 * Runs a throughput case twice over in the table: wall-clock ops/s (the harness's measure)
 * and ops per CPU-second of this process (all its threads, GC included). On a shared
 * machine the second is the steadier one: time spent waiting for a core is not counted.
 */
async function compareWithCpu(
  caseName: string,
  n: number,
  cases: Record<string, () => Promise<number>>,
): Promise<void> {
  const cpu = new Map<string, number[]>();
  const measured = Object.fromEntries(
    Object.entries(cases).map(([name, fn]) => [
      name,
      async () => {
        const before = process.cpuUsage();
        const wall = await fn();
        const used = process.cpuUsage(before);
        const values = cpu.get(name) ?? [];
        values.push(n / ((used.user + used.system) / 1e6));
        cpu.set(name, values);
        return wall;
      },
    ]),
  );
  await compare('pool', caseName, measured, { rounds: ROUNDS });
  for (const values of cpu.values()) values.shift(); // the warm-up round
  await compare(
    'pool',
    `${caseName} (per CPU-second)`,
    Object.fromEntries(
      Object.keys(cases).map((name) => {
        const values = cpu.get(name)!;
        return [name, () => values.shift()!];
      }),
    ),
    { rounds: ROUNDS, warmup: 0, unit: 'ops/cpu-s' },
  );
}

await compareWithCpu(
  `map: ${MAP_JOBS.toLocaleString('en-US')} no-op async jobs, c=16`,
  MAP_JOBS,
  only(mapCases(MAP_JOBS)),
);
await compareWithCpu(
  `run: ${RUN_JOBS.toLocaleString('en-US')} no-op async jobs, c=16`,
  RUN_JOBS,
  only(runCases(RUN_JOBS)),
);
await memoryCases(MEMORY_TASKS);
report('Pool');
