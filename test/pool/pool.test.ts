import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
import {
  Pool,
  PoolClosedError,
  type PoolOptions,
  type Result,
  type Task,
} from '../../src/index.js';
import { flush, gate, state, until, type Gate } from './helpers.js';

const T = { timeout: 10_000 };

/** A pool whose handler returns `job:store`, the AsyncLocalStorage store it runs in. */
function storeReporter(als: AsyncLocalStorage<string>, options: PoolOptions): Pool<number, string> {
  return new Pool(async (n: number) => {
    await flush();
    return `${n}:${als.getStore() ?? 'none'}`;
  }, options);
}

/** The values of a `map()`'s successful results, in the order they came. */
async function values<J, R>(results: AsyncIterable<Result<J, R>>): Promise<R[]> {
  const out: R[] = [];
  for await (const r of results) if (r.ok) out.push(r.value);
  return out;
}

/** A pool whose handler waits on a gate per job, so the test decides when each returns. */
function gated(concurrency: number, options: Record<string, unknown> = {}) {
  const gates = new Map<number, Gate<number>>();
  const started: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const pool = new Pool<number, number>(
    async (n) => {
      started.push(n);
      running++;
      maxRunning = Math.max(maxRunning, running);
      const g = gate<number>();
      gates.set(n, g);
      try {
        return await g.promise;
      } finally {
        running--;
      }
    },
    { concurrency, ...options },
  );
  const finish = async (n: number, value = n * 10): Promise<void> => {
    await until(() => gates.has(n));
    gates.get(n)!.open(value);
  };
  return { pool, started, finish, max: () => maxRunning, running: () => running };
}

describe('Pool: run, submit, trySubmit', () => {
  it('run settles with the handler value, and with its error', T, async () => {
    const pool = new Pool(async (n: number) => {
      await flush();
      if (n < 0) throw new RangeError('negative');
      return n * 2;
    });
    assert.equal(await pool.run(21), 42);
    await assert.rejects(pool.run(-1), RangeError);
    await pool.close();
  });

  it('a synchronous handler and a synchronous throw both work', T, async () => {
    const pool = new Pool((n: number) => {
      if (n === 0) throw new TypeError('zero');
      return n + 1;
    });
    assert.equal(await pool.run(1), 2);
    await assert.rejects(pool.run(0), TypeError);
    await pool.close();
  });

  it('never runs more handlers than concurrency', T, async () => {
    const { pool, started, finish, max } = gated(3);
    const results = Array.from({ length: 10 }, (_, i) => pool.run(i));
    await flush();
    assert.deepEqual(started, [0, 1, 2]);
    for (let i = 0; i < 10; i++) await finish(i);
    assert.deepEqual(await Promise.all(results), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    assert.equal(max(), 3);
    await pool.close();
  });

  it(
    'submit resolves once queued and waits while the queue is full (Go’s jobs <- job)',
    T,
    async () => {
      const { pool, finish } = gated(1, { queueSize: 2 });
      const t0 = await pool.submit(0); // runs
      await pool.submit(1); // queued
      await pool.submit(2); // queued
      const fourth = pool.submit(3);
      assert.equal(await state(fourth), 'pending');
      assert.equal(pool.stats.queued, 2);
      await finish(0);
      const t3 = await fourth;
      assert.equal(await t0.result, 0);
      for (const n of [1, 2, 3]) await finish(n);
      assert.equal(await t3.result, 30);
      await pool.close();
    },
  );

  it('run also waits for room while the queue is full, in FIFO order', T, async () => {
    const { pool, started, finish } = gated(1, { queueSize: 1 });
    const all = [0, 1, 2, 3].map((n) => pool.run(n));
    await flush();
    assert.equal(pool.stats.queued, 1);
    for (const n of [0, 1, 2, 3]) await finish(n);
    await Promise.all(all);
    assert.deepEqual(started, [0, 1, 2, 3]);
    await pool.close();
  });

  it('trySubmit returns undefined where submit would wait, and a task otherwise', T, async () => {
    const { pool, finish } = gated(1, { queueSize: 1 });
    const a = pool.trySubmit(0);
    const b = pool.trySubmit(1);
    const c = pool.trySubmit(2);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(c, undefined);
    await finish(0);
    await finish(1);
    assert.equal(await a.result, 0);
    assert.equal(await b.result, 10);
    assert.equal(pool.stats.succeeded, 2);
    await pool.close();
  });

  it('queueSize 0 is hand-off only: submit waits until a worker takes the job', T, async () => {
    const { pool, started, finish } = gated(1, { queueSize: 0 });
    await pool.submit(0);
    assert.equal(pool.trySubmit(1), undefined);
    const second = pool.submit(1);
    assert.equal(await state(second), 'pending');
    assert.equal(pool.stats.queued, 0);
    await finish(0);
    const task = await second;
    assert.deepEqual(started, [0, 1]);
    await finish(1);
    assert.equal(await task.result, 10);
    await pool.close();
  });

  it('a task nobody awaits never causes an unhandled rejection', T, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = new Pool(() => Promise.reject(new Error('ignored')), { concurrency: 2 });
      await pool.submit(1);
      pool.trySubmit(2);
      void pool.run(3);
      const task = await pool.submit(4);
      await pool.close();
      await flush();
      await flush();
      assert.deepEqual(unhandled, []);
      // The user's own handlers still see the rejection.
      await assert.rejects(task.result, /ignored/);
      assert.equal(pool.stats.failed, 4);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it(
    'the handler runs in the AsyncLocalStorage context of the call that handed the job over',
    T,
    async () => {
      const als = new AsyncLocalStorage<string>();
      const pool = storeReporter(als, { concurrency: 1 });
      const runs = ['a', 'b', 'c'].map((name, i) => als.run(name, () => pool.run(i)));
      const submitted = await als.run('d', () => pool.submit(3));
      const mapped = await als.run('e', () => values(pool.map([4, 5])));
      assert.deepEqual(await Promise.all(runs), ['0:a', '1:b', '2:c']);
      assert.equal(await submitted.result, '3:d');
      assert.deepEqual(mapped.sort(), ['4:e', '5:e']);
      await pool.close();
    },
  );

  it(
    'with asyncContext: false, a task that starts inside the call still runs in its context, one that waits does not',
    T,
    async () => {
      const als = new AsyncLocalStorage<string>();
      const pool = storeReporter(als, { concurrency: 1, asyncContext: false });
      const first = als.run('a', () => pool.run(0)); // starts at once, inside run()
      const waiting = als.run('b', () => pool.run(1)); // waits for the worker
      const mapped = await als.run('c', () => values(pool.map([2, 3])));
      assert.equal(await first, '0:a');
      const second = await waiting;
      assert.match(second, /^1:/);
      assert.notEqual(second, '1:b');
      assert.equal(mapped.length, 2);
      await pool.close();
    },
  );

  it('a task exposes its attempts and whether it settled', T, async () => {
    const { pool, finish } = gated(1);
    const task: Task<number> = await pool.submit(1);
    assert.equal(task.settled, false);
    await finish(1);
    await task.result;
    assert.equal(task.settled, true);
    assert.equal(task.attempts, 1);
    await pool.close();
  });
});

describe('Pool: close, abort, onIdle, pause, resize', () => {
  it(
    'close() runs what is queued, then resolves with nothing running; later jobs are refused',
    T,
    async () => {
      const { pool, finish, running } = gated(1);
      const all = [0, 1, 2].map((n) => pool.run(n));
      const closed = pool.close();
      await assert.rejects(pool.run(9), PoolClosedError);
      assert.equal(await state(closed), 'pending');
      for (const n of [0, 1, 2]) await finish(n);
      await closed;
      assert.equal(running(), 0);
      assert.deepEqual(await Promise.all(all), [0, 10, 20]);
      assert.equal(pool.closed, true);
      await pool.close(); // idempotent
    },
  );

  it(
    'abort() rejects queued tasks, aborts running ones, and resolves when handlers returned',
    T,
    async () => {
      const reason = new Error('stop');
      let returned = false;
      const started = gate();
      const pool = new Pool<number, number>(
        (n, ctx) =>
          new Promise<number>((resolve) => {
            started.open();
            ctx.signal.addEventListener('abort', () => {
              setImmediate(() => {
                returned = true;
                resolve(n);
              });
            });
          }),
        { concurrency: 1 },
      );
      const running = pool.run(0);
      const queued = pool.run(1);
      await started.promise;
      const aborted = pool.abort(reason);
      await assert.rejects(running, (e) => e === reason);
      await assert.rejects(queued, (e) => e === reason);
      await aborted;
      assert.equal(returned, true);
      assert.equal(pool.stats.cancelled, 2);
      assert.equal(pool.stats.failed, 0);
      await assert.rejects(pool.run(2), PoolClosedError);
    },
  );

  it(
    'abort() with no reason rejects with an AbortError; a waiting submit rejects too',
    T,
    async () => {
      const { pool } = gated(1, { queueSize: 0 });
      await pool.submit(0);
      const waiting = pool.submit(1);
      const done = pool.abort();
      await assert.rejects(waiting, { name: 'AbortError' });
      // The running handler's gate is never opened, but abort settles its task at once;
      // the handler itself must return for abort() to resolve.
      assert.equal(await state(done), 'pending');
    },
  );

  it('the pool signal aborts the pool', T, async () => {
    const controller = new AbortController();
    const { pool } = gated(1, { signal: controller.signal });
    const queued = pool.run(5);
    const waiting = pool.run(6);
    controller.abort(new Error('signal'));
    await assert.rejects(queued, /signal/);
    await assert.rejects(waiting, /signal/);
    assert.equal(pool.closed, true);
  });

  it('the pool signal still aborts a pool that is closing', T, async () => {
    const controller = new AbortController();
    const { pool } = gated(1, { signal: controller.signal });
    const running = pool.run(1);
    const queued = pool.run(2);
    const closing = pool.close();
    controller.abort(new Error('signal'));
    await assert.rejects(queued, /signal/);
    await assert.rejects(running, /signal/);
    assert.equal(await state(closing), 'pending'); // the gated handler has not returned
  });

  it('an already-aborted pool signal gives a closed pool', T, async () => {
    const pool = new Pool((n: number) => n, { signal: AbortSignal.abort() });
    await assert.rejects(pool.run(1), PoolClosedError);
  });

  it('onIdle resolves once nothing is queued or running, and at once when idle', T, async () => {
    const { pool, finish } = gated(2);
    await pool.onIdle();
    void pool.run(0);
    void pool.run(1);
    void pool.run(2);
    const idle = pool.onIdle();
    assert.equal(await state(idle), 'pending');
    await finish(0);
    await finish(1);
    assert.equal(await state(idle), 'pending');
    await finish(2);
    await idle;
    await pool.close();
  });

  it('pause() stops starting tasks (they still queue) and resume() starts them', T, async () => {
    const { pool, started, finish } = gated(2);
    pool.pause();
    assert.equal(pool.paused, true);
    const a = pool.run(0);
    const task = await pool.submit(1);
    await flush();
    assert.deepEqual(started, []);
    assert.equal(pool.stats.queued, 2);
    pool.resume();
    await finish(0);
    await finish(1);
    assert.equal(await a, 0);
    assert.equal(await task.result, 10);
    await pool.close();
  });

  it('close() resumes a paused pool so that it finishes everything', T, async () => {
    const pool = new Pool((n: number) => n, { concurrency: 1 });
    pool.pause();
    const all = [1, 2, 3].map((n) => pool.run(n));
    await pool.close();
    assert.deepEqual(await Promise.all(all), [1, 2, 3]);
  });

  it('raising concurrency starts waiting tasks at once', T, async () => {
    const { pool, started, finish } = gated(1);
    const all = [0, 1, 2, 3].map((n) => pool.run(n));
    await flush();
    assert.deepEqual(started, [0]);
    pool.concurrency = 3;
    await flush();
    assert.deepEqual(started, [0, 1, 2]);
    for (const n of [0, 1, 2, 3]) await finish(n);
    await Promise.all(all);
    await pool.close();
  });

  it(
    'lowering concurrency lets running handlers finish and retires workers as they free up',
    T,
    async () => {
      const { pool, started, finish, running } = gated(3);
      const all = [0, 1, 2, 3, 4, 5].map((n) => pool.run(n));
      await flush();
      assert.deepEqual(started, [0, 1, 2]);
      pool.concurrency = 1;
      assert.equal(running(), 3);
      await finish(0);
      await finish(1);
      await flush();
      assert.deepEqual(started, [0, 1, 2]); // still 1 running (job 2) = the new concurrency
      await finish(2);
      await until(() => started.length === 4);
      assert.equal(running(), 1);
      for (const n of [3, 4, 5]) await finish(n);
      await Promise.all(all);
      await pool.close();
    },
  );

  it('Symbol.asyncDispose closes the pool', T, async () => {
    const pool = new Pool((n: number) => n);
    const result = pool.run(1);
    await pool[Symbol.asyncDispose]();
    assert.equal(await result, 1);
    assert.equal(pool.closed, true);
  });
});
