import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool } from '../../src/index.js';
import { PriorityQueue } from '../../src/internal/priority-queue.js';
import { flush, gate, prng, until } from './helpers.js';

const T = { timeout: 10_000 };

describe('Pool: cancellation', () => {
  it('a queued task that is cancelled never starts and rejects with the reason', T, async () => {
    const release = gate();
    const started: number[] = [];
    const pool = new Pool(
      async (n: number) => {
        started.push(n);
        await release.promise;
        return n;
      },
      { concurrency: 1 },
    );
    const first = pool.run(0);
    const task = await pool.submit(1);
    const controller = new AbortController();
    const viaSignal = pool.run(2, { signal: controller.signal });
    const reason = new Error('no longer needed');
    task.cancel(reason);
    controller.abort(new Error('signalled'));
    await assert.rejects(task.result, (e) => e === reason);
    await assert.rejects(viaSignal, /signalled/);
    assert.equal(pool.stats.queued, 0);
    release.open();
    assert.equal(await first, 0);
    await pool.close();
    assert.deepEqual(started, [0]);
    assert.equal(pool.stats.cancelled, 2);
    assert.equal(pool.stats.failed, 0);
  });

  it(
    'cancelling a running task aborts ctx.signal and settles it at once; the worker stays busy until it returns',
    T,
    async () => {
      const release = gate();
      let sawAbort = false;
      const pool = new Pool(
        async (n: number, ctx) => {
          ctx.signal.addEventListener('abort', () => (sawAbort = true));
          await release.promise;
          return n;
        },
        { concurrency: 1 },
      );
      const task = await pool.submit(1);
      await until(() => pool.stats.running === 1);
      task.cancel();
      await assert.rejects(task.result, { name: 'AbortError' });
      assert.equal(sawAbort, true);
      assert.equal(pool.stats.running, 1);
      release.open();
      await pool.close();
      assert.equal(pool.stats.running, 0);
      assert.equal(pool.stats.cancelled, 1);
    },
  );

  it('a signal read after the cancellation is already aborted', T, async () => {
    const read = gate();
    const check = gate<AbortSignal>();
    const pool = new Pool(async (_: number, ctx) => {
      await read.promise;
      check.open(ctx.signal);
    });
    const task = await pool.submit(1);
    task.cancel(new Error('early'));
    read.open();
    const signal = await check.promise;
    assert.equal(signal.aborted, true);
    assert.match(String((signal.reason as Error).message), /early/);
    await pool.close();
  });

  it(
    'a task whose signal is already aborted rejects with its reason and never runs',
    T,
    async () => {
      let ran = false;
      const pool = new Pool(() => void (ran = true));
      const signal = AbortSignal.abort(new Error('before'));
      await assert.rejects(pool.run(1, { signal }), /before/);
      const task = await pool.submit(2, { signal });
      await assert.rejects(task.result, /before/);
      const tried = pool.trySubmit(3, { signal })!;
      await assert.rejects(tried.result, /before/);
      await pool.close();
      assert.equal(ran, false);
      assert.equal(pool.stats.cancelled, 3);
    },
  );

  it('cancelling a settled task does nothing', T, async () => {
    const pool = new Pool((n: number) => n);
    const task = await pool.submit(1);
    assert.equal(await task.result, 1);
    task.cancel();
    assert.equal(await task.result, 1);
    assert.equal(pool.stats.cancelled, 0);
    await pool.close();
  });

  it('a signal listener is removed once its task settles', T, async () => {
    const controller = new AbortController();
    const pool = new Pool((n: number) => n);
    for (let i = 0; i < 50; i++) await pool.run(i, { signal: controller.signal });
    await pool.close();
    // Aborting now must reach no task (and throw nothing).
    controller.abort();
    assert.equal(pool.stats.cancelled, 0);
  });
});

describe('Pool: priorities', () => {
  it('higher priority starts first, FIFO within a priority', T, async () => {
    const started: string[] = [];
    const pool = new Pool((job: string) => void started.push(job), { concurrency: 1 });
    pool.pause();
    const all = [
      pool.run('low-1', { priority: -1 }),
      pool.run('mid-1'),
      pool.run('high-1', { priority: 5 }),
      pool.run('mid-2', { priority: 0 }),
      pool.run('high-2', { priority: 5 }),
      pool.run('low-2', { priority: -1 }),
      pool.run('top', { priority: 1e9 }),
    ];
    pool.resume();
    await Promise.all(all);
    await pool.close();
    assert.deepEqual(started, ['top', 'high-1', 'high-2', 'mid-1', 'mid-2', 'low-1', 'low-2']);
  });

  it('the priority queue matches a sorted reference over random operations', () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const random = prng(seed);
    const queue = new PriorityQueue<{ id: number; priority: number }>();
    const reference: { id: number; priority: number }[] = [];
    let id = 0;
    try {
      for (let step = 0; step < 20_000; step++) {
        const r = random();
        if (r < 0.55) {
          const item = { id: id++, priority: Math.floor(random() * 5) - 2 };
          queue.push(item, item.priority);
          reference.push(item);
        } else if (r < 0.6) {
          const item = { id: -id++, priority: Math.floor(random() * 5) - 2 };
          queue.unshift(item, item.priority);
          const at = reference.findIndex((x) => x.priority === item.priority);
          // In front of its own priority's items.
          if (at < 0) reference.push(item);
          else reference.splice(at, 0, item);
        } else {
          // Stable sort: highest priority first, insertion order within one.
          reference.sort((a, b) => b.priority - a.priority);
          assert.equal(queue.shift(), reference.shift());
        }
        assert.equal(queue.length, reference.length);
      }
    } catch (error) {
      console.error(`priority queue seed: ${seed}`);
      throw error;
    }
  });
});

describe('Pool: rate limit', () => {
  it('at most `limit` attempts start within any `interval` ms (a sliding window)', T, async () => {
    const starts: number[] = [];
    const pool = new Pool(() => void starts.push(performance.now()), {
      concurrency: 4,
      rateLimit: { limit: 2, interval: 40 },
    });
    await Promise.all(Array.from({ length: 7 }, (_, i) => pool.run(i)));
    await pool.close();
    assert.equal(starts.length, 7);
    // Any two starts `limit` apart are at least `interval` apart (1 ms of clock rounding allowed).
    for (let i = 2; i < starts.length; i++) {
      assert.ok(starts[i]! - starts[i - 2]! >= 39, `starts ${i - 2} and ${i} too close`);
    }
  });

  it('a rate-limited pool still closes and aborts promptly', T, async () => {
    const pool = new Pool((n: number) => n, { rateLimit: { limit: 1, interval: 60_000 } });
    const first = pool.run(1);
    const second = pool.run(2);
    assert.equal(await first, 1);
    await flush();
    await pool.abort(new Error('stop'));
    await assert.rejects(second, /stop/);
  });
});
