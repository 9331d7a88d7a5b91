// The Pool's randomized settle test, run against threads (smaller counts: threads are
// slow to start on two cores). Random jobs succeed, fail, sleep, spin, wait for their
// signal (until a timeout or a cancel), crash their thread, or ignore their signal; tasks
// are cancelled, the pool is resized, paused and resumed, and closed or aborted at a random
// moment. Each run is seeded; a failure prints its seed, and CREW_SEED=<n> replays it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Task } from '../../src/index.js';
import { ThreadPool } from '../../src/threads/index.js';
import { fixture, type Behaviour } from './helpers.js';
import { forEachSeed, prng } from '../random.js';

type Outcome = { settled: number; status: 'fulfilled' | 'rejected' | 'pending'; value?: unknown };

async function schedule(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: pick([1, 2, { min: 0, max: 2 }, { min: 1, max: 3 }]),
      idleTimeout: pick([0, 5, 1000]),
      terminateGrace: 50,
      timeout: pick([150, 300]),
      retries: pick([0, 1, { retries: 2, minDelay: 0, maxDelay: 2 }]),
      ...(random() < 0.5 ? { concurrency: 1 + Math.floor(random() * 8) } : {}),
    });
    const total = 100 + Math.floor(random() * 200);
    const expected: unknown[] = [];
    const outcomes: Outcome[] = Array.from({ length: total }, () => ({
      settled: 0,
      status: 'pending',
    }));
    const track = (job: number, promise: Promise<unknown>): Promise<void> =>
      promise.then(
        (value) => {
          outcomes[job]!.settled++;
          outcomes[job]!.status = 'fulfilled';
          outcomes[job]!.value = value;
        },
        () => {
          outcomes[job]!.settled++;
          outcomes[job]!.status = 'rejected';
        },
      );
    const jobFor = (i: number): Behaviour => {
      const r = random();
      if (r < 0.5) return { kind: 'echo', value: i };
      if (r < 0.65) return { kind: 'sleep', ms: Math.floor(random() * 5), value: i };
      if (r < 0.75) return { kind: 'spin', ms: Math.floor(random() * 3), value: i };
      if (r < 0.86) return { kind: 'throw' };
      if (r < 0.9) return { kind: 'wait-abort' };
      // Crashes are rare: each costs a new thread, slow to start on two busy cores.
      if (r < 0.94) return { kind: 'exit-on-first-attempt' };
      if (r < 0.97) return { kind: 'exit', code: 1 };
      if (r < 0.99) return { kind: 'uncaught' };
      return { kind: 'ignore-abort' };
    };
    const tracked: Promise<void>[] = [];
    const tasks: Task<unknown>[] = [];
    const end = random() < 0.5 ? 'close' : 'abort';
    const endAt = Math.floor(random() * total * 1.2);
    let ended: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      if (i === endAt) ended = end === 'close' ? pool.close() : pool.abort(new Error('abort'));
      const job = jobFor(i);
      expected[i] =
        job.kind === 'echo' || job.kind === 'sleep' || job.kind === 'spin'
          ? i
          : job.kind === 'exit-on-first-attempt'
            ? 'recovered'
            : undefined;
      const options = { priority: Math.floor(random() * 3) };
      const how = random();
      if (ended !== undefined || how < 0.5) {
        tracked.push(track(i, pool.run(job, options)));
      } else {
        const task = pool.trySubmit(job, options) ?? (await pool.submit(job, options));
        tasks.push(task);
        tracked.push(track(i, task.result));
      }
      const r = random();
      if (r < 0.05 && tasks.length > 0) pick(tasks).cancel();
      else if (r < 0.07) pool.concurrency = 1 + Math.floor(random() * 8);
      else if (r < 0.08) pool.pause();
      else if (r < 0.12) pool.resume();
      if (random() < 0.2) await new Promise((resolve) => setImmediate(resolve));
    }
    await (ended ?? pool.close());
    // Once close/abort resolved, no thread is left to run a handler.
    assert.equal(pool.stats.threads.length, 0, 'a thread outlived close/abort');
    await Promise.all(tracked);
    assert.deepEqual(unhandled, []);
    for (let i = 0; i < total; i++) {
      const o = outcomes[i]!;
      assert.equal(o.settled, 1, `job ${i} settled ${o.settled} times`);
      if (o.status === 'fulfilled') assert.deepEqual(o.value, expected[i], `job ${i}'s value`);
    }
    const stats = pool.stats;
    assert.equal(stats.running, 0);
    assert.equal(stats.queued, 0);
    assert.equal(stats.retrying, 0);
    assert.equal(stats.threads.length, 0, 'every thread ended');
    assert.equal(stats.succeeded, outcomes.filter((o) => o.status === 'fulfilled').length);
    // Every task handed over before close/abort is counted exactly once.
    const handedOver = ended === undefined ? total : Math.min(endAt, total);
    assert.equal(stats.succeeded + stats.failed + stats.cancelled, handedOver);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

describe('ThreadPool: randomized schedules', () => {
  it(
    'every promise settles once with the right value, no unhandled rejection, every thread ends',
    { timeout: 60_000 },
    async () => {
      await forEachSeed('randomized ThreadPool schedule', 3, schedule);
    },
  );
});
