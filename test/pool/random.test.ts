// A randomized test over many schedules: thousands of tasks with random durations,
// failures, retries, cancellations, timeouts, priorities and resizes, with close() or
// abort() at a random moment. Each run is seeded; a failure prints its seed, and
// CREW_SEED=<n> replays it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool, type Task } from '../../src/index.js';
import { prng, turns } from './helpers.js';
import { forEachSeed } from '../random.js';

interface Outcome {
  settled: number;
  status: 'fulfilled' | 'rejected' | 'pending';
}

async function schedule(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let running = 0;
    let finished = false;
    const violations: string[] = [];
    const ran = new Map<number, number>(); // job → attempts started
    const pool = new Pool<number, number>(
      async (job, ctx) => {
        if (finished) violations.push(`job ${job} started after close/abort resolved`);
        running++;
        if (running > pool.concurrency) {
          violations.push(`${running} running > concurrency ${pool.concurrency}`);
        }
        ran.set(job, (ran.get(job) ?? 0) + 1);
        try {
          const r = random();
          // Mostly a few turns of the event loop; now and then a few ms, past a short timeout.
          if (r > 0.9) await new Promise((resolve) => setTimeout(resolve, random() * 5));
          else await turns(Math.floor(random() * 4));
          if (r < 0.15) throw new Error(`job ${job} failed`);
          if (r < 0.2 && ctx.signal.aborted) throw ctx.signal.reason;
          return job;
        } finally {
          running--;
          if (finished) violations.push(`job ${job} still running after close/abort resolved`);
        }
      },
      {
        concurrency: 1 + Math.floor(random() * 6),
        queueSize: pick([0, 1, 5, 50, Infinity]),
        retries: pick([0, 1, { retries: 2, minDelay: 0, maxDelay: 2 }]),
        timeout: pick([Infinity, Infinity, 1, 3]),
        rateLimit: random() < 0.2 ? { limit: 50, interval: 5 } : undefined,
      },
    );
    const total = 300 + Math.floor(random() * 500);
    const outcomes: Outcome[] = Array.from({ length: total }, () => ({
      settled: 0,
      status: 'pending',
    }));
    const track = (job: number, promise: Promise<unknown>): Promise<void> =>
      promise.then(
        () => {
          outcomes[job]!.settled++;
          outcomes[job]!.status = 'fulfilled';
        },
        () => {
          outcomes[job]!.settled++;
          outcomes[job]!.status = 'rejected';
        },
      );
    const tracked: Promise<void>[] = [];
    const tasks: Task<number>[] = [];
    const controllers: AbortController[] = [];
    const handOver = async (job: number): Promise<void> => {
      const options = {
        priority: Math.floor(random() * 3),
        ...(random() < 0.1 ? { signal: new AbortController().signal } : {}),
      };
      if (random() < 0.05) {
        const controller = new AbortController();
        controllers.push(controller);
        options.signal = controller.signal;
      }
      const how = random();
      if (how < 0.4) {
        tracked.push(track(job, pool.run(job, options)));
      } else if (how < 0.8) {
        const task = await pool.submit(job, options);
        tasks.push(task);
        tracked.push(track(job, task.result));
      } else {
        const task = pool.trySubmit(job, options);
        if (task === undefined) {
          tracked.push(track(job, pool.run(job, options))); // would wait: hand over anyway
        } else {
          tasks.push(task);
          tracked.push(track(job, task.result));
        }
      }
    };
    const end = random() < 0.5 ? 'close' : 'abort';
    const endAt = Math.floor(random() * total);
    let ended: Promise<void> | undefined;
    for (let job = 0; job < total; job++) {
      if (job === endAt) ended = end === 'close' ? pool.close() : pool.abort(new Error('abort'));
      if (ended !== undefined) {
        // After close/abort: refused, and still accounted for.
        tracked.push(track(job, pool.run(job)));
        continue;
      }
      const submitting = handOver(job).catch((error: unknown) => {
        // A submit still waiting when the pool is aborted rejects: accounted as rejected.
        outcomes[job]!.settled++;
        outcomes[job]!.status = 'rejected';
        void error;
      });
      // Waiting on a hand-over while paused would wait for a resume() that this loop makes.
      if (random() < 0.7 && !pool.paused) await submitting;
      else tracked.push(submitting);
      const r = random();
      if (r < 0.03 && tasks.length > 0) pick(tasks).cancel();
      else if (r < 0.05 && controllers.length > 0) pick(controllers).abort();
      else if (r < 0.07) pool.concurrency = 1 + Math.floor(random() * 6);
      else if (r < 0.08) pool.pause();
      else if (r < 0.1) pool.resume();
      if (random() < 0.1) await turns(1);
    }
    await (ended ?? pool.close());
    finished = true;
    assert.equal(running, 0, 'a handler still runs after close/abort resolved');
    await Promise.all(tracked);
    await turns(2); // a late handler would start or an unhandled rejection would show now
    assert.deepEqual(violations, []);
    assert.deepEqual(unhandled, []);
    for (let job = 0; job < total; job++) {
      assert.equal(outcomes[job]!.settled, 1, `job ${job} settled ${outcomes[job]!.settled} times`);
    }
    const stats = pool.stats;
    assert.equal(stats.running, 0);
    assert.equal(stats.queued, 0);
    assert.equal(stats.retrying, 0);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled').length;
    assert.equal(stats.succeeded, fulfilled);
    // Every task handed over before close/abort is counted exactly once (those after it were
    // refused and are not tasks).
    const handedOver = ended === undefined ? total : endAt;
    assert.equal(stats.succeeded + stats.failed + stats.cancelled, handedOver);
    for (const [job, attempts] of ran) assert.ok(attempts >= 1 && job < total);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

describe('Pool: randomized schedules', () => {
  it(
    'every promise settles once, concurrency holds, nothing runs after close/abort, no unhandled rejection',
    { timeout: 60_000 },
    async () => {
      await forEachSeed('randomized Pool schedule', 12, schedule);
    },
  );
});
