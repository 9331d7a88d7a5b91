import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool, TaskTimeoutError } from '../../src/index.js';
import { resolvePoolOptions } from '../../src/pool/options.js';
import { RetryPolicy } from '../../src/pool/retry.js';
import { gate, state, until } from './helpers.js';

const T = { timeout: 10_000 };
const fast = { minDelay: 0, jitter: false };

describe('Pool: retries', () => {
  it(
    'a failing task is retried up to `retries` times and settles with the last error',
    T,
    async () => {
      let calls = 0;
      const pool = new Pool(
        (_: number, ctx) => {
          calls++;
          throw new Error(`attempt ${ctx.attempt}`);
        },
        { retries: { retries: 2, ...fast } },
      );
      await assert.rejects(pool.run(1), /attempt 3/);
      assert.equal(calls, 3);
      assert.equal(pool.stats.retried, 2);
      assert.equal(pool.stats.failed, 1);
      await pool.close();
    },
  );

  it('a task that succeeds on a retry reports its attempt count', T, async () => {
    const pool = new Pool(
      (n: number, ctx) => {
        if (ctx.attempt < 3) throw new Error('flaky');
        return n;
      },
      { retries: { retries: 5, ...fast } },
    );
    const results = [];
    for await (const r of pool.map([7])) results.push(r);
    assert.deepEqual(results, [{ job: 7, ok: true, value: 7, attempts: 3 }]);
    const task = await pool.submit(8);
    assert.equal(await task.result, 8);
    assert.equal(task.attempts, 3);
    await pool.close();
  });

  it('retryIf decides; it sees the error and the attempt number', T, async () => {
    const seen: [string, number][] = [];
    const pool = new Pool(
      (_: number, ctx) => {
        throw new Error(ctx.attempt === 1 ? 'retryable' : 'fatal');
      },
      {
        retries: {
          retries: 10,
          ...fast,
          retryIf: (error, attempt) => {
            seen.push([(error as Error).message, attempt]);
            return (error as Error).message === 'retryable';
          },
        },
      },
    );
    await assert.rejects(pool.run(1), /fatal/);
    assert.deepEqual(seen, [
      ['retryable', 1],
      ['fatal', 2],
    ]);
    await pool.close();
  });

  it('a task option overrides the pool’s retries, and retries: 0 turns them off', T, async () => {
    let calls = 0;
    const pool = new Pool(
      () => {
        calls++;
        throw new Error('x');
      },
      { retries: { retries: 3, ...fast } },
    );
    await assert.rejects(pool.run(1, { retries: 0 }));
    assert.equal(calls, 1);
    await assert.rejects(pool.run(1, { retries: { retries: 1, ...fast } }));
    assert.equal(calls, 3);
    await pool.close();
  });

  it('a retry waits out its delay without holding a worker', T, async () => {
    const other = gate();
    const order: string[] = [];
    const pool = new Pool(
      async (job: string, ctx) => {
        order.push(`${job}${ctx.attempt}`);
        if (job === 'flaky' && ctx.attempt === 1) throw new Error('again');
        if (job === 'other') await other.promise;
        return job;
      },
      // A long delay: while it runs, the only worker must be free for `other`.
      { concurrency: 1, retries: { retries: 1, minDelay: 30, jitter: false } },
    );
    const flaky = pool.run('flaky');
    await until(() => pool.stats.retrying === 1);
    const second = pool.run('other');
    await until(() => order.includes('other1'));
    assert.equal(pool.stats.running, 1);
    other.open();
    assert.equal(await second, 'other');
    assert.equal(await flaky, 'flaky');
    assert.deepEqual(order, ['flaky1', 'other1', 'flaky2']);
    await pool.close();
  });

  it('close() lets tasks waiting to retry run their retries', T, async () => {
    const pool = new Pool(
      (n: number, ctx) => {
        if (ctx.attempt === 1) throw new Error('once');
        return n;
      },
      { retries: { retries: 1, minDelay: 5, jitter: false } },
    );
    const result = pool.run(4);
    await until(() => pool.stats.retrying === 1);
    await pool.close();
    assert.equal(await result, 4);
  });

  it('abort() cancels tasks waiting to retry', T, async () => {
    const pool = new Pool(
      () => {
        throw new Error('x');
      },
      { retries: { retries: 3, minDelay: 10_000, jitter: false } },
    );
    const result = pool.run(1);
    await until(() => pool.stats.retrying === 1);
    await pool.abort(new Error('aborted'));
    await assert.rejects(result, /aborted/);
    assert.equal(pool.stats.retrying, 0);
    assert.equal(pool.stats.cancelled, 1);
  });

  it('backoff grows by factor up to maxDelay; full jitter stays within [0, delay]', () => {
    const exact = new RetryPolicy(10, 100, 1000, 2, false, undefined);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => exact.delay(a)),
      [100, 200, 400, 800, 1000, 1000],
    );
    const jittered = new RetryPolicy(10, 100, 1000, 2, true, undefined);
    for (let attempt = 1; attempt < 8; attempt++) {
      for (let i = 0; i < 200; i++) {
        const d = jittered.delay(attempt);
        assert.ok(d >= 0 && d <= exact.delay(attempt) && Number.isInteger(d));
      }
    }
  });
});

describe('Pool: retry defaults', () => {
  it('retries given as a number or an object without delays back off from 100 ms by 2 up to 30 s, with full jitter', () => {
    for (const retries of [3, { retries: 3 }, { retries: 3, retryIf: () => true }]) {
      const policy = resolvePoolOptions({ retries }).retry!;
      assert.equal(policy.retries, 3);
      assert.equal(policy.minDelay, 100);
      assert.equal(policy.maxDelay, 30_000);
      assert.equal(policy.factor, 2);
      assert.equal(policy.jitter, true);
    }
    assert.equal(resolvePoolOptions({}).retry, undefined, 'no retries unless asked');
    assert.equal(resolvePoolOptions({ retries: 0 }).retry, undefined);
    // A minDelay above the default cap raises the cap to it.
    assert.equal(
      resolvePoolOptions({ retries: { retries: 1, minDelay: 60_000 } }).retry!.maxDelay,
      60_000,
    );
  });
});

describe('Pool: timeouts', () => {
  it(
    'a timed-out attempt aborts ctx.signal with TaskTimeoutError and settles at once',
    T,
    async () => {
      const release = gate();
      let reason: unknown;
      let returned = false;
      const pool = new Pool(
        async (_: number, ctx) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason as unknown;
          });
          await release.promise; // ignores the signal: keeps running past the timeout
          returned = true;
        },
        { concurrency: 1, timeout: 20 },
      );
      await assert.rejects(pool.run(1), (e: unknown) => {
        assert.ok(e instanceof TaskTimeoutError);
        assert.equal(e.code, 'CREW_TASK_TIMEOUT');
        return true;
      });
      assert.ok(reason instanceof TaskTimeoutError);
      assert.equal(returned, false);
      // The worker stays busy until the handler really returns.
      assert.equal(pool.stats.running, 1);
      const next = pool.run(2, { timeout: Infinity });
      assert.equal(await state(next), 'pending');
      const closed = pool.close();
      release.open();
      await next;
      await closed;
      assert.equal(returned, true);
    },
  );

  it('running handlers never exceed concurrency when attempts time out', T, async () => {
    let running = 0;
    let max = 0;
    const release = gate();
    const pool = new Pool(
      async () => {
        running++;
        max = Math.max(max, running);
        await release.promise;
        running--;
      },
      { concurrency: 2, timeout: 5 },
    );
    const all = Array.from({ length: 6 }, (_, i) => pool.run(i).catch((e: unknown) => e));
    await until(() => pool.stats.failed >= 2);
    assert.equal(max, 2);
    release.open();
    const outcomes = await Promise.all(all);
    await pool.close();
    assert.equal(max, 2);
    assert.ok(outcomes.slice(0, 2).every((e) => e instanceof TaskTimeoutError));
  });

  it('a timeout is retried like any failure, each attempt with a fresh signal', T, async () => {
    const signals: AbortSignal[] = [];
    const pool = new Pool(
      (n: number, ctx) => {
        signals.push(ctx.signal);
        if (ctx.attempt === 1) return new Promise<number>(() => {}); // never returns
        return n;
      },
      { timeout: 10, retries: { retries: 1, minDelay: 0, jitter: false } },
    );
    assert.equal(await pool.run(3), 3);
    assert.equal(signals.length, 2);
    assert.equal(signals[0]!.aborted, true);
    assert.equal(signals[1]!.aborted, false);
    // The first attempt's handler never returns, so close() would never resolve; the pool
    // is left as it is (a pending promise keeps nothing alive).
  });

  it('a per-task timeout overrides the pool’s', T, async () => {
    const pool = new Pool(() => new Promise<void>(() => {}), { timeout: Infinity });
    await assert.rejects(pool.run(1, { timeout: 5 }), TaskTimeoutError);
  });
});
