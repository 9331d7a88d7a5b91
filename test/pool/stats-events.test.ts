import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool, type PoolEvents } from '../../src/index.js';
import { StatsRecorder } from '../../src/pool/stats.js';
import { gate, until } from './helpers.js';

const T = { timeout: 10_000 };

describe('Pool: stats', () => {
  it(
    'counts succeeded, failed, retried and cancelled tasks, and summarizes times in ms',
    T,
    async () => {
      const hold = gate();
      const pool = new Pool(
        async (n: number, ctx) => {
          if (n === 1) throw new Error('fails');
          if (n === 2 && ctx.attempt === 1) throw new Error('once');
          if (n === 3) await hold.promise;
          return n;
        },
        { concurrency: 2, retries: { retries: 1, minDelay: 0, jitter: false } },
      );
      const results = await Promise.allSettled([pool.run(0), pool.run(1), pool.run(2)]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const slow = await pool.submit(3);
      await until(() => pool.stats.running === 1);
      slow.cancel();
      hold.open();
      await pool.close();
      const stats = pool.stats;
      assert.equal(stats.succeeded, 2);
      assert.equal(stats.failed, 1);
      assert.equal(stats.retried, 2); // job 1 once, job 2 once
      assert.equal(stats.cancelled, 1);
      assert.equal(stats.running, 0);
      assert.equal(stats.queued, 0);
      assert.equal(stats.retrying, 0);
      assert.equal(stats.runTime.count, 6); // attempts: 0; 1, 1; 2, 2; 3
      assert.equal(stats.waitTime.count, 6);
      for (const summary of [stats.runTime, stats.waitTime]) {
        assert.ok(summary.min <= summary.p50 && summary.p50 <= summary.p90);
        assert.ok(summary.p90 <= summary.p99 && summary.p99 <= summary.max);
        assert.ok(summary.mean >= summary.min && summary.mean <= summary.max);
      }
    },
  );

  it('percentiles are within 3% of the exact ones; count, min, max and mean are exact', () => {
    const recorder = new StatsRecorder();
    const values: number[] = [];
    // 0.001 ms to about 10 s, spread over many orders of magnitude.
    for (let i = 0; i < 5_000; i++) values.push(0.001 * 1.004 ** i);
    for (const v of values) recorder.run(v);
    const summary = recorder.snapshot(0, 0, 0).runTime;
    const sorted = [...values].sort((a, b) => a - b);
    const exact = (p: number): number => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
    for (const [p, got] of [
      [50, summary.p50],
      [90, summary.p90],
      [99, summary.p99],
    ] as const) {
      const want = exact(p);
      assert.ok(Math.abs(got - want) / want < 0.03, `p${p}: ${got} vs ${want}`);
    }
    assert.equal(summary.count, values.length);
    assert.ok(Math.abs(summary.min - sorted[0]!) < 1e-9);
    assert.ok(Math.abs(summary.max - sorted.at(-1)!) < 1e-6);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(summary.mean - mean) / mean < 1e-9);
  });

  it(
    'waitTime is how long each task waited to start, queued or blocked, each time the queue fills again',
    T,
    async () => {
      const pool = new Pool(async (hold: Promise<void> | undefined) => await hold, {
        concurrency: 1,
        queueSize: 1,
      });
      // Twice, so that the second round starts after the queue emptied (waiting times are
      // then counted from a new origin; see WaitingTasks).
      for (const ms of [30, 60]) {
        const hold = gate();
        const before = performance.now();
        const first = pool.run(hold.promise); // starts at once: waits 0
        const queued = pool.run(undefined); // queued behind it
        const blocked = pool.run(undefined); // the queue is full: blocked
        await new Promise((resolve) => setTimeout(resolve, ms));
        hold.open();
        await Promise.all([first, queued, blocked]);
        const elapsed = performance.now() - before;
        const wait = pool.stats.waitTime;
        assert.equal(wait.min, 0);
        // Timers may fire up to a millisecond early by performance.now().
        assert.ok(wait.max >= ms - 1 && wait.max <= elapsed, `${wait.max} ms, ${elapsed} ms`);
      }
      assert.equal(pool.stats.waitTime.count, 6);
      await pool.close();
    },
  );

  it('an empty pool reports zeros', () => {
    const stats = new Pool((n: number) => n).stats;
    assert.equal(stats.runTime.count, 0);
    assert.equal(stats.runTime.p99, 0);
    assert.equal(stats.waitTime.max, 0);
  });
});

describe('Pool: events', () => {
  it(
    'emits started, retried, succeeded, failed, cancelled and idle with typed payloads',
    T,
    async () => {
      const log: string[] = [];
      const pool = new Pool(
        (n: number, ctx) => {
          if (n === 1) throw new Error('bad');
          if (n === 2 && ctx.attempt === 1) throw new Error('again');
          return n * 10;
        },
        {
          concurrency: 1,
          retries: { retries: 1, minDelay: 0, jitter: false, retryIf: (_e, _a) => true },
        },
      );
      const listeners: {
        [K in keyof PoolEvents<number, number>]: (p: PoolEvents<number, number>[K]) => void;
      } = {
        started: (p) => log.push(`started ${p.job}#${p.attempt}`),
        retried: (p) => log.push(`retried ${p.job}#${p.attempt} in ${p.delay}`),
        succeeded: (p) => log.push(`succeeded ${p.job}=${p.value} after ${p.attempts}`),
        failed: (p) =>
          log.push(`failed ${p.job}: ${(p.error as Error).message} after ${p.attempts}`),
        cancelled: (p) => log.push(`cancelled ${p.job}`),
        idle: () => log.push('idle'),
      };
      for (const [name, listener] of Object.entries(listeners)) {
        pool.on(name as keyof PoolEvents, listener as () => void);
      }
      await pool.run(0);
      await pool.onIdle();
      await pool.run(2);
      await pool.run(1, { retries: 0 }).catch(() => {});
      await pool.run(3, { signal: AbortSignal.abort() }).catch(() => {});
      await pool.close();
      assert.deepEqual(log, [
        'started 0#1',
        'succeeded 0=0 after 1',
        'idle',
        'started 2#1',
        'retried 2#1 in 0',
        'started 2#2',
        'succeeded 2=20 after 2',
        'idle',
        'started 1#1',
        'failed 1: bad after 1',
        'idle',
        'cancelled 3', // never queued: the pool stayed idle
      ]);
    },
  );

  it('a listener that throws never breaks the pool; it is reported as a warning', T, async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const pool = new Pool((n: number) => n);
      let later = 0;
      pool.on('succeeded', () => {
        throw new Error('listener bug');
      });
      pool.on('succeeded', () => void later++);
      // A listener returning a rejected promise is reported the same way.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      pool.on('started', () => Promise.reject(new Error('async listener bug')));
      assert.equal(await pool.run(1), 1);
      assert.equal(await pool.run(2), 2);
      await pool.close();
      assert.equal(later, 2);
      await until(() => warnings.length >= 4);
      assert.ok(warnings.some((w) => w.message === 'listener bug'));
      assert.ok(warnings.some((w) => w.message === 'async listener bug'));
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('on() returns an unsubscribe function; once() fires once; off() removes', T, async () => {
    const pool = new Pool((n: number) => n);
    let on = 0;
    let once = 0;
    let removed = 0;
    const stop = pool.on('succeeded', () => void on++);
    pool.once('succeeded', () => void once++);
    const listener = (): void => void removed++;
    pool.on('succeeded', listener);
    pool.off('succeeded', listener);
    await pool.run(1);
    stop();
    await pool.run(2);
    await pool.close();
    assert.deepEqual([on, once, removed], [1, 1, 0]);
  });
});
