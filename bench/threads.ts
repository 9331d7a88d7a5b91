/**
 * ThreadPool against the thread-pool peers (piscina, tinypool, workerpool, poolifier), in
 * one process, every pool with 2 threads (this machine has 2 cores).
 *
 * (a) 100,000 no-op tasks submitted at once (each pool's `run`/`exec`/`execute`, all
 *     awaited with Promise.all).
 * (b) 1,000,000 no-op tasks: crew through `pool.map()` over a lazy input; peers as a user
 *     would, with a bounded in-flight window of 1,024 tasks (submit one as one settles).
 * (c) 200 × fib(27), all submitted at once; reported as the speedup over the same loop on
 *     the main thread, timed in the same process just before and just after the pool's run
 *     (see the case). Each round of each implementation runs in a fresh process, with its
 *     pool started and the workload run twice before the timer (so it measures parallelism,
 *     not start-up); every thread and the main-thread loop run the same function, the export
 *     of fixtures/fib.mjs (workerpool's worker imports it too). A floor runs in the same
 *     rounds (the least a pool can do with a promise per task), and a ceiling: two bare
 *     threads, no pool, taking the tasks from a shared counter. The ceiling shows what this
 *     machine's two cores allow at the time: on a shared VM, its speedup read 1.92–1.96× in
 *     calm runs and 1.63–1.64× while the host was busy, within the same hour.
 *     Every (c) process runs with TurboFan's inlining off (`--no-turbo-inlining`, the same
 *     for every implementation and for the main-thread loop). With it on, V8 decides once
 *     per thread, by chance, whether to inline fib into itself, and the inlined code is
 *     slower: a fresh process ran fib(27) on its main thread at either 1.5 or 2.3 ms a call
 *     for its whole life (3 of 8 processes the slow way; the same with ASLR off and a fixed
 *     seed), and the bench's own main-thread loop read 302 to 486 ms across four processes.
 *     The speedup then measured which threads drew the slow code (it read 1.18× to 2.67×
 *     between runs, above the 2.0× two cores allow), not the pool. With inlining off, every
 *     process ran at 1.5 ms a call (main loop 300–310 ms in five processes), and the pools'
 *     code in this case is a few messages per 1.5 ms task, too little to feel the flag.
 * (d) one awaited task at a time (10,000 no-op round trips): latency p50 and p99. Each round
 *     of each implementation runs in a fresh process where only its pool exists, after
 *     10,000 untimed round trips. A floor runs in the same rounds: a bare thread that echoes
 *     each message, with no pool on either side. In one process with every pool started, a
 *     pool's latency also depended on the ten threads around it: crew's p50 read 48 µs there
 *     and 20–27 µs alone, piscina's 54 µs there and 17–19 µs alone, on the same machine.
 *
 * Every pool is started (and warmed by a first round) before it is measured, and each
 * implementation's rounds are interleaved with the others' by the harness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { bundleThreads } from '../scripts/bundle.js';
import type * as CrewThreads from '../src/threads/index.js';
import { RingBuffer } from '../src/internal/ring-buffer.js';
import { compare, report, throughput } from './harness.js';

// crew as its users run it, like the peers: plain JavaScript, bundled from the current source
// as tsup builds dist/threads/. Imported from src/ under tsx, its threads would load their
// entry through tsx's loader, which no user's thread does (a round trip read about 20%
// slower). Bundled once per run, into a private folder that the child processes reuse.
if (process.env.CREW_BENCH_THREADS_BUNDLE === undefined) {
  const bundle = bundleThreads(mkdtempSync(join(tmpdir(), 'crew-bench-threads-')));
  process.env.CREW_BENCH_THREADS_BUNDLE = bundle;
  process.on('exit', () => rmSync(dirname(bundle), { recursive: true, force: true }));
}
const { ThreadPool } = (await import(
  pathToFileURL(process.env.CREW_BENCH_THREADS_BUNDLE).href
)) as typeof CrewThreads;

const THREADS = 2;
const AT_ONCE = Number(process.env.CREW_BENCH_THREADS_AT_ONCE ?? 100_000);
const MAP_JOBS = Number(process.env.CREW_BENCH_THREADS_MAP_JOBS ?? 1_000_000);
const WINDOW = 1024;
const FIB_TASKS = 200;
const FIB_N = 27;
/**
 * Round trips per (d) round. The p99 of 2,000 is the 20th slowest, and on this VM a pause of
 * the host's now and then decided it: one pool's p99 read 45 to 624 µs from process to
 * process. Of 10,000 (the 100th slowest), it read 80 to 99.
 */
const LATENCY_TASKS = Number(process.env.CREW_BENCH_LATENCY_TASKS ?? 10_000);
const ROUNDS = Number(process.env.CREW_BENCH_ROUNDS ?? 3);
/**
 * Rounds of case (c), each a fresh process per implementation: between two runs of 3 rounds on
 * a quiet machine crew's speedup read 2.11× and 1.18× (and piscina's 1.60× and 1.72×), so (c)
 * takes more rounds than the cases that measure many small tasks. With 7, crew's median still
 * moved by ±1.2% from run to run on a steady host (1.881× to 1.925× over four runs) while the
 * pools it is compared with sat within 1% of one another, so which one came first was partly
 * chance; 15 narrow that spread by about a third (√(15/7)), for about a minute more a run.
 */
const FIB_ROUNDS = Number(process.env.CREW_BENCH_FIB_ROUNDS ?? 15);
/** Rounds of case (d), each a fresh process per implementation (see the header). */
const LATENCY_ROUNDS = Number(process.env.CREW_BENCH_LATENCY_ROUNDS ?? 7);
/** Which cases to run, e.g. `CREW_BENCH_THREADS_CASES=ac`; default all of a, b, c, d. */
const CASES = process.env.CREW_BENCH_THREADS_CASES ?? 'abcd';

/**
 * In a child process of an isolated case (see harness.ts), whether the case it runs is none
 * of `cases` (named by their prefix), so that the child starts no pools for those.
 */
function childOfOtherCase(...cases: string[]): boolean {
  const child = process.env.CREW_BENCH_CHILD;
  if (!child) return false;
  const name = (JSON.parse(child) as { case: string }).case;
  return !cases.some((prefix) => name.startsWith(prefix));
}

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** One pool, reduced to what the cases need. */
interface Runner {
  run(job: number): Promise<unknown>;
  close(): Promise<unknown>;
}

type Kind = 'noop' | 'fib';

const makers: Record<string, (kind: Kind) => Runner> = {
  'crew ThreadPool': (kind) => {
    const pool = new ThreadPool<number, number>(fixture(`${kind}.mjs`), { threads: THREADS });
    return { run: (job) => pool.run(job), close: () => pool.close() };
  },
  piscina: (kind) => {
    const pool = new Piscina({
      filename: fixture(`${kind}.mjs`),
      minThreads: THREADS,
      maxThreads: THREADS,
    });
    return { run: (job) => pool.run(job), close: () => pool.destroy() };
  },
  tinypool: (kind) => {
    const pool = new Tinypool({
      filename: fixture(`${kind}.mjs`),
      minThreads: THREADS,
      maxThreads: THREADS,
    });
    return { run: (job) => pool.run(job), close: () => pool.destroy() };
  },
  workerpool: (kind) => {
    const pool = workerpool.pool(fixture('workerpool-worker.mjs'), {
      minWorkers: THREADS,
      maxWorkers: THREADS,
      workerType: 'thread',
    });
    return {
      run: (job) => Promise.resolve(pool.exec(kind, [job])),
      close: () => Promise.resolve(pool.terminate()),
    };
  },
  poolifier: (kind) => {
    const pool = new FixedThreadPool(THREADS, fixture(`poolifier-${kind}.mjs`));
    return { run: (job) => pool.execute(job), close: () => pool.destroy() };
  },
};

/** Runs `body` with one pool per implementation, started before the measured rounds. */
async function withPools(
  kind: Kind,
  body: (pools: Record<string, Runner>) => Promise<void>,
): Promise<void> {
  const pools: Record<string, Runner> = {};
  for (const [name, make] of Object.entries(makers)) pools[name] = make(kind);
  // A first task per pool, so that thread start-up is not part of any round.
  await Promise.all(Object.values(pools).map((pool) => pool.run(1)));
  try {
    await body(pools);
  } finally {
    await closeAll(Object.values(pools));
  }
}

/**
 * Closes the pools, waiting at most 5 s: poolifier's `destroy()` sometimes never settles
 * (nothing is left to keep the loop alive, and the bench then exits 13 on its pending
 * top-level await).
 */
async function closeAll(pools: Runner[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pools.map((pool) => pool.close())),
    new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
  ]);
  clearTimeout(timer);
}

function each(
  pools: Record<string, Runner>,
  fn: (pool: Runner, name: string) => Promise<number>,
): Record<string, () => Promise<number>> {
  return Object.fromEntries(
    Object.entries(pools).map(([name, pool]) => [name, () => fn(pool, name)]),
  );
}

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

/** Keeps `window` tasks in flight until `n` have settled. */
function windowed(pool: Runner, n: number, window: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const next = (): void => {
      if (++done === n) resolve();
      else if (sent < n) void pool.run(sent++).then(next, reject);
    };
    for (; sent < Math.min(window, n);) void pool.run(sent++).then(next, reject);
  });
}

/**
 * The ceiling of case (c): two bare threads with no pool, no per-task message and no
 * main-thread work in between. Each is told once to start, then takes the next task from a
 * counter the two share (`Atomics.add`) until none is left, so a thread that the host slows
 * takes fewer tasks, as it would from a pool. (Halves handed out up front made the slower
 * thread decide the time: the "ceiling" then read 171 to 235 ms across six processes while
 * the pools balanced around it.)
 */
function bareThreads(): { run: (tasks: number) => Promise<void>; close: () => Promise<void> } {
  const next = new Int32Array(new SharedArrayBuffer(4));
  const source = `
    const { parentPort, workerData: next } = require('node:worker_threads');
    import(${JSON.stringify(pathToFileURL(fixture('fib.mjs')).href)}).then(({ fib }) => {
      parentPort.on('message', (tasks) => {
        let sum = 0;
        while (Atomics.add(next, 0, 1) < tasks) sum += fib(${FIB_N});
        parentPort.postMessage(sum);
      });
    });`;
  const threads = Array.from(
    { length: THREADS },
    () => new Worker(source, { eval: true, workerData: next }),
  );
  return {
    run: async (tasks) => {
      Atomics.store(next, 0, 0);
      await Promise.all(
        threads.map(
          (thread) =>
            new Promise((resolve) => {
              thread.once('message', resolve);
              thread.postMessage(tasks);
            }),
        ),
      );
    },
    close: async () => {
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

/**
 * A second line for case (c), between the ceiling and the pools: the least a pool can do
 * that settles a promise per task. Bare threads each keep two tasks (one running, one ready,
 * so no thread waits for the main thread), a message per task each way; the main thread
 * keeps a FIFO queue of what waits and resolves one promise per result. No options, no
 * retries, no stats, no events, no errors: a floor, not a pool.
 */
function minimalPool(): Runner {
  const source = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(pathToFileURL(fixture('fib.mjs')).href)}).then(({ fib }) => {
      parentPort.on('message', (n) => parentPort.postMessage(fib(n)));
    });`;
  interface Lane {
    worker: Worker;
    /** The promises of its tasks in flight, oldest first (a thread answers in order). */
    resolvers: RingBuffer<(value: unknown) => void>;
  }
  const waiting = new RingBuffer<{ job: number; resolve: (value: unknown) => void }>();
  const lanes: Lane[] = Array.from({ length: THREADS }, () => {
    const lane: Lane = { worker: new Worker(source, { eval: true }), resolvers: new RingBuffer() };
    lane.worker.on('message', (value) => {
      const resolve = lane.resolvers.shift()!;
      const next = waiting.shift();
      if (next !== undefined) {
        lane.resolvers.push(next.resolve);
        lane.worker.postMessage(next.job);
      }
      resolve(value);
    });
    return lane;
  });
  return {
    run: (job) =>
      new Promise((resolve) => {
        const lane = lanes.find((l) => l.resolvers.length < 2);
        if (lane === undefined) {
          waiting.push({ job, resolve });
          return;
        }
        lane.resolvers.push(resolve);
        lane.worker.postMessage(job);
      }),
    close: async () => {
      await Promise.all(lanes.map((lane) => lane.worker.terminate()));
    },
  };
}

/**
 * The floor of case (d): one bare thread that posts back whatever it receives, with no pool
 * on either side. A round trip costs what the machine charges for two messages between
 * threads, and nothing else.
 */
function bareEcho(): Runner {
  const thread = new Worker(
    `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (message) => parentPort.postMessage(message));`,
    { eval: true },
  );
  let resolve: ((value: unknown) => void) | undefined;
  thread.on('message', (value) => resolve?.(value));
  return {
    run: (job) =>
      new Promise((settle) => {
        resolve = settle;
        thread.postMessage(job);
      }),
    close: () => thread.terminate(),
  };
}

/**
 * The main-thread loop of case (c) calls the very function the pools' threads call: fib.mjs's
 * export. Copies of the same three lines ran at different speeds (a module-local copy 2%
 * faster than the export, a CommonJS one 4-5%), which the speedup would have measured.
 */
const { fib: fibOnMain } = (await import(pathToFileURL(fixture('fib.mjs')).href)) as {
  fib: (n: number) => number;
};

async function latencies(pool: Runner): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < LATENCY_TASKS; i++) {
    const start = process.hrtime.bigint();
    await pool.run(i);
    out.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return out.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function mapCase(pools: Record<string, Runner>): Promise<void> {
  const crewMap = new ThreadPool<number, number>(fixture('noop.mjs'), { threads: THREADS });
  await crewMap.run(1);
  const mapCases = each(pools, (pool) =>
    throughput(MAP_JOBS, () => windowed(pool, MAP_JOBS, WINDOW)),
  );
  delete mapCases['crew ThreadPool'];
  await compare(
    'threads',
    `(b) ${MAP_JOBS.toLocaleString('en-US')} no-op tasks through map`,
    {
      'crew ThreadPool map': () =>
        throughput(MAP_JOBS, async () => {
          let count = 0;
          for await (const r of crewMap.map(range(MAP_JOBS))) if (r.ok) count++;
          if (count !== MAP_JOBS) throw new Error(`expected ${MAP_JOBS} results, got ${count}`);
        }),
      ...Object.fromEntries(
        Object.entries(mapCases).map(([k, v]) => [`${k} (window ${WINDOW})`, v]),
      ),
    },
    { rounds: Math.max(1, ROUNDS - 1), warmup: 0 },
  );
  await crewMap.close();
}

if (/[ab]/.test(CASES) && !childOfOtherCase('(a)', '(b)'))
  await withPools('noop', async (pools) => {
    if (CASES.includes('a'))
      await compare(
        'threads',
        `(a) ${AT_ONCE.toLocaleString('en-US')} no-op tasks at once`,
        each(pools, (pool) =>
          throughput(AT_ONCE, () =>
            Promise.all(Array.from({ length: AT_ONCE }, (_, i) => pool.run(i))),
          ),
        ),
        { rounds: ROUNDS },
      );

    if (CASES.includes('b')) await mapCase(pools);
  });

/**
 * In a child process of an isolated case: each implementation's pool, started on first use
 * (threads up, module loaded, one task run) and kept for the rest of the process.
 */
function startedPools(kind: Kind): {
  ready: (name: string) => Promise<Runner>;
  closeAll: () => Promise<void>;
} {
  const started = new Map<string, Runner>();
  return {
    ready: async (name) => {
      let pool = started.get(name);
      if (pool === undefined) {
        pool = makers[name]!(kind);
        started.set(name, pool);
        await pool.run(1);
      }
      return pool;
    },
    closeAll: () => closeAll([...started.values()]),
  };
}

if (CASES.includes('d') && !childOfOtherCase('(d)')) {
  const pools = startedPools('noop');
  let bare: Runner | undefined;
  try {
    for (const p of [50, 99]) {
      await compare(
        'threads',
        `(d) one awaited task at a time, latency p${p}`,
        {
          'floor: bare postMessage ping-pong': async () =>
            percentile(await latencies((bare ??= bareEcho())), p),
          ...Object.fromEntries(
            Object.keys(makers).map((name) => [
              name,
              async () => percentile(await latencies(await pools.ready(name)), p),
            ]),
          ),
        },
        { rounds: LATENCY_ROUNDS, unit: 'µs', higherIsBetter: false, isolate: true },
      );
    }
  } finally {
    await Promise.all([pools.closeAll(), bare?.close()]);
  }
}

if (CASES.includes('c') && !childOfOtherCase('(c)')) {
  // Each (implementation, round) runs in a fresh process (`isolate`), where only that
  // implementation's pool exists. Its untimed warm-up rounds start the pool (threads up,
  // module loaded) and run the whole workload once (JIT warmed in the threads, crew's depth
  // adapted) and the main-thread loop twice. The measured round then times the main-thread
  // loop, the 200 tasks, and the loop again, in that process, and reports the loop's mean
  // time over the tasks' time: the host's speed, which drifts between processes and within
  // one (fib(27) read 2.2 ms a call in one process and 4 ms in the next, and moved from one
  // to the other mid-process with no recompilation), is then the same on both sides of the
  // ratio. (Dividing medians of loops and pools timed in different processes read up to
  // 2.5× on two cores.)
  const pools = startedPools('fib');
  let bare: ReturnType<typeof bareThreads> | undefined;
  let minimal: Runner | undefined;
  const time = async (fn: () => unknown): Promise<number> => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const mainLoop = (): Promise<number> =>
    time(() => {
      for (let i = 0; i < FIB_TASKS; i++) fibOnMain(FIB_N);
    });
  const speedup = async (parallel: () => Promise<unknown>): Promise<number> => {
    const before = await mainLoop();
    const took = await time(parallel);
    const after = await mainLoop();
    return (before + after) / 2 / took;
  };
  try {
    await compare(
      'threads',
      `(c) ${FIB_TASKS} × fib(${FIB_N}), speedup over the main-thread loop in the same process`,
      {
        'ceiling: 2 bare threads, no pool': () => {
          bare ??= bareThreads();
          return speedup(() => bare!.run(FIB_TASKS));
        },
        'floor: minimal pool, a message each way per task': async () => {
          if (minimal === undefined) {
            minimal = minimalPool();
            await minimal.run(1); // threads up, as `pools.ready` does for the pools
          }
          return speedup(() =>
            Promise.all(Array.from({ length: FIB_TASKS }, () => minimal!.run(FIB_N))),
          );
        },
        ...Object.fromEntries(
          Object.keys(makers).map((name) => [
            name,
            async () => {
              const pool = await pools.ready(name);
              return speedup(() =>
                Promise.all(Array.from({ length: FIB_TASKS }, () => pool.run(FIB_N))),
              );
            },
          ]),
        ),
      },
      {
        rounds: FIB_ROUNDS,
        unit: '×',
        higherIsBetter: true,
        isolate: true,
        warmup: 2,
        nodeArgs: ['--no-turbo-inlining'], // see the header: fib's speed is otherwise a draw
      },
    );
  } finally {
    await Promise.all([pools.closeAll(), bare?.close(), minimal?.close()]);
  }
}

report('ThreadPool vs piscina, tinypool, workerpool, poolifier (2 threads)');
