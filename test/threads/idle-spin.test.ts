import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError } from '../../src/errors.js';
import { ThreadPool } from '../../src/threads/index.js';
import { fixture, type Behaviour } from './helpers.js';

const T = { timeout: 20_000 };
const CORES = availableParallelism();
/** Polling needs a free core besides the main thread's. */
const POLLS = CORES >= 2 ? {} : { skip: 'polling needs two cores' };

/** Runs tasks until every thread of the pool has completed one (tasks go where there is room). */
async function touchEveryThread(pool: ThreadPool<Behaviour, unknown>, threads: number) {
  for (let round = 0; round < 50; round++) {
    await Promise.all(
      Array.from({ length: threads }, () => pool.run({ kind: 'spin', ms: 20, value: 0 })),
    );
    const done = pool.stats.threads.filter((t) => t.completed > 0).length;
    if (done === threads) return;
  }
  assert.fail('the tasks never reached every thread');
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

  it('runs tasks with polling turned off (idleSpin: 0)', T, async () => {
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

  it("keeps the thread's timers firing while it polls between a stream of tasks", T, async () => {
    // A window far longer than the gaps between tasks: the thread polls from each task to
    // the next, and its event loop must still get its turns (its timers fire meanwhile).
    await using pool = new ThreadPool<null, number>(fixture('timers.mjs'), {
      threads: 1,
      idleSpin: 1000,
    });
    await pool.run(null);
    const start = performance.now();
    let fired = 0;
    let tasks = 0;
    while (performance.now() - start < 60 || tasks < 200) {
      fired = await pool.run(null);
      tasks++;
    }
    assert.ok(fired >= 5, `only ${fired} of the thread's 1 ms timers fired over ${tasks} tasks`);
  });

  it(
    'leaves the time a thread spent polling out of its utilization',
    { ...T, ...POLLS },
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: 1,
        idleSpin: 400,
      });
      await pool.run({ kind: 'echo', value: 1 });
      // The thread now polls for 400 ms (a core is free and nothing else runs), then rests;
      // the measure reads after that. Counted, polling would make it at least 400 / 550.
      await sleep(550);
      const [thread] = pool.stats.threads;
      assert.ok(thread !== undefined);
      assert.ok(thread.utilization < 0.5, `utilization ${thread.utilization}`);
    },
  );

  it(
    'lets no more threads poll at once than there are cores besides the main thread',
    { ...T, ...POLLS },
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: CORES,
        idleSpin: 1000,
      });
      await touchEveryThread(pool, CORES);
      // Every thread has just run out of tasks and would poll for a second; at most CORES - 1
      // may. Measured as the process's CPU time over 300 ms, which a busy machine only lowers.
      const before = process.cpuUsage();
      const start = performance.now();
      await sleep(300);
      const used = process.cpuUsage(before);
      const cpuMs = (used.user + used.system) / 1000;
      const wallMs = performance.now() - start;
      assert.ok(
        cpuMs < (CORES - 0.5) * wallMs,
        `${cpuMs.toFixed(0)} ms of CPU in ${wallMs.toFixed(0)} ms with ${CORES} cores`,
      );
    },
  );
});
