import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError } from '../../src/errors.js';
import { ThreadPool } from '../../src/threads/index.js';
import { fixture, type Behaviour } from './helpers.js';

const T = { timeout: 20_000 };
const CORES = availableParallelism();
/** Staying awake needs a core for the main thread besides the threads'. */
const SPINS = CORES >= 2 ? {} : { skip: 'needs two cores' };
const SCHEDSTAT = '/proc/thread-self/schedstat';
const MAIN_CPU = existsSync(SCHEDSTAT) ? SPINS : { skip: `needs ${SCHEDSTAT}` };

/** CPU time of the calling (main) thread so far, in ms (Linux). */
function mainThreadCpuMs(): number {
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
}

/** The process's CPU time over `ms` of waiting, in ms. */
async function cpuWhileWaiting(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await sleep(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('ThreadPool idleSpin', () => {
  for (const value of [-0.01, Number.NaN, 1001, '50us', null]) {
    it(`rejects idleSpin: ${String(value)} with InvalidOptionError naming it`, () => {
      assert.throws(
        () => new ThreadPool(fixture('noop.js'), { idleSpin: value as number }),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === 'idleSpin' &&
          /a number from 0 to 1000/.test(error.message),
      );
    });
  }

  it('runs tasks one by one and in bulk with idleSpin: 0', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), {
      threads: 2,
      idleSpin: 0,
    });
    for (let i = 0; i < 200; i++) assert.equal(await pool.run(i), 2 * i);
    const all = await Promise.all(Array.from({ length: 2_000 }, (_, i) => pool.run(i)));
    assert.deepEqual(
      all,
      Array.from({ length: 2_000 }, (_, i) => 2 * i),
    );
  });

  it("keeps the main thread's timers firing while it stays awake for results", T, async () => {
    // A window far longer than a round trip: the loop stays awake from each task to its
    // result, and must still run its timers meanwhile.
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), {
      threads: 1,
      idleSpin: 1000,
    });
    await pool.run(0);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const start = performance.now();
    let tasks = 0;
    while (performance.now() - start < 60 || tasks < 200)
      assert.equal(await pool.run(tasks++), 2 * (tasks - 1));
    clearInterval(timer);
    assert.ok(ticks >= 5, `only ${ticks} ticks of a 1 ms interval over ${tasks} tasks`);
  });

  it(
    'stops keeping the main thread awake once the results are back',
    { ...T, ...SPINS },
    async () => {
      await using pool = new ThreadPool<number, number>(fixture('double.mjs'), {
        threads: 1,
        idleSpin: 1000,
      });
      await pool.run(1);
      assert.equal(await pool.run(2), 4);
      // Nothing is out on a thread: a loop kept turning for the rest of the second would burn
      // a core (300 ms of CPU in 300 ms).
      const cpuMs = await cpuWhileWaiting(300);
      assert.ok(cpuMs < 90, `${cpuMs.toFixed(0)} ms of CPU in 300 ms with no task out`);
    },
  );

  it(
    "never keeps the main thread awake on a core that a thread's work needs",
    { ...T, ...MAIN_CPU },
    async () => {
      // One task per thread and one thread per core: every core runs a thread's work, so the
      // main thread must sleep while they run, even though its window is far longer.
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: CORES,
        concurrency: CORES,
        idleSpin: 1000,
      });
      await Promise.all(Array.from({ length: CORES }, () => pool.run({ kind: 'echo', value: 0 })));
      const before = mainThreadCpuMs();
      await Promise.all(
        Array.from({ length: CORES }, () => pool.run({ kind: 'spin', ms: 300, value: 0 })),
      );
      const used = mainThreadCpuMs() - before;
      assert.ok(used < 60, `the main thread used ${used.toFixed(0)} ms of CPU in 300 ms`);
    },
  );
});
