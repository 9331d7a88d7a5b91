import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { relative } from 'node:path';
import { InvalidOptionError } from '../../src/errors.js';
import { ThreadPool } from '../../src/threads/index.js';
import { Channel } from '../../src/channel.js';
import { fixture, type Behaviour } from './helpers.js';

const T = { timeout: 20_000 };

describe('ThreadPool handler modules', () => {
  it('runs the default export of an ES module (.mjs) on a thread', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 1 });
    assert.equal(await pool.run(21), 42);
  });

  it('runs the default export of a .js module in an ESM package', T, async () => {
    await using pool = new ThreadPool<string, string>(fixture('noop.js'), { threads: 1 });
    assert.equal(await pool.run('same'), 'same');
  });

  it('runs module.exports of a CommonJS module (.cjs)', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.cjs'), { threads: 1 });
    assert.equal(await pool.run(4), 8);
  });

  it('runs exports.default of a CommonJS module compiled from TypeScript', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('compiled-default.cjs'), {
      threads: 1,
    });
    assert.equal(await pool.run(4), 12);
  });

  it('runs a TypeScript handler module when the app runs under tsx', T, async () => {
    await using pool = new ThreadPool<{ a: number; b: number }, number>(fixture('typed.ts'), {
      threads: 1,
    });
    assert.equal(await pool.run({ a: 2, b: 3 }), 5);
  });

  it(
    'accepts the module as a file: URL, a URL string or a path relative to the working directory',
    T,
    async () => {
      const url = pathToFileURL(fixture('double.mjs'));
      for (const module of [url, url.href, relative(process.cwd(), fixture('double.mjs'))]) {
        await using pool = new ThreadPool<number, number>(module, { threads: 1 });
        assert.equal(await pool.run(1), 2);
      }
    },
  );

  it('hands the handler ctx.attempt', T, async () => {
    await using pool = new ThreadPool<Behaviour, number>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    assert.equal(await pool.run({ kind: 'attempt' }), 1);
  });
});

describe('ThreadPool options', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['threads', { threads: 0 }],
    ['threads', { threads: 1.5 }],
    ['threads', { threads: 'two' }],
    ['threads.max', { threads: { min: 3, max: 2 } }],
    ['threads.min', { threads: { min: -1 } }],
    ['threads.size', { threads: { size: 2 } }],
    ['idleTimeout', { idleTimeout: -1 }],
    ['terminateGrace', { terminateGrace: 'soon' }],
    ['resourceLimits', { resourceLimits: 5 }],
    ['resourceLimits.heap', { resourceLimits: { heap: 5 } }],
    ['resourceLimits.maxOldGenerationSizeMb', { resourceLimits: { maxOldGenerationSizeMb: 0 } }],
    ['concurrency', { concurrency: 0 }],
    ['queueSize', { queueSize: -1 }],
    ['priorty', { priorty: 1 }],
    // A thread never sees the main thread's async context: there is nothing to choose.
    ['asyncContext', { asyncContext: false }],
  ];
  for (const [option, options] of bad) {
    it(`rejects a bad \`${option}\` with InvalidOptionError naming it`, () => {
      assert.throws(
        () => new ThreadPool(fixture('noop.js'), options),
        (error: unknown) => error instanceof InvalidOptionError && error.option === option,
      );
    });
  }

  it('rejects a module argument that is neither a path nor a URL', () => {
    for (const module of [undefined, 42, '', {}]) {
      assert.throws(
        () => new ThreadPool(module as string, { threads: 1 }),
        (error: unknown) => error instanceof InvalidOptionError && error.option === 'module',
      );
    }
  });

  it(
    'rejects a task whose transfer list is not an array, before it enters the pool',
    T,
    async () => {
      await using pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 1 });
      assert.throws(
        () => pool.run(1, { transfer: 'buffer' as never }),
        (error: unknown) => error instanceof InvalidOptionError && error.option === 'transfer',
      );
      assert.equal(pool.stats.succeeded + pool.stats.failed, 0);
    },
  );

  it(
    'adapts concurrency to the handler unless it is set, and keeps a value that is set',
    T,
    async () => {
      await using adaptive = new ThreadPool<number, number>(fixture('noop.js'), { threads: 2 });
      await Promise.all(Array.from({ length: 2_000 }, (_, i) => adaptive.run(i)));
      assert.ok(adaptive.concurrency > 4, `tiny tasks should batch: ${adaptive.concurrency}`);
      await using fixed = new ThreadPool<number, number>(fixture('noop.js'), {
        threads: 2,
        concurrency: 3,
      });
      await Promise.all(Array.from({ length: 2_000 }, (_, i) => fixed.run(i)));
      assert.equal(fixed.concurrency, 3);
      fixed.concurrency = 5;
      assert.equal(fixed.concurrency, 5);
    },
  );
});

describe('ThreadPool methods', () => {
  it('settles submit(), trySubmit() and map() like Pool does', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 2 });
    const task = await pool.submit(5);
    assert.equal(await task.result, 10);
    const now = pool.trySubmit(6);
    assert.ok(now !== undefined);
    assert.equal(await now.result, 12);
    const seen: number[] = [];
    for await (const r of pool.map([1, 2, 3, 4], { ordered: true })) {
      assert.ok(r.ok);
      seen.push(r.value);
    }
    assert.deepEqual(seen, [2, 4, 6, 8]);
  });

  it('processes a channel of jobs into a channel of results', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 2 });
    const jobs = new Channel<number>(10);
    const results = pool.process(jobs);
    for (let i = 0; i < 10; i++) await jobs.send(i);
    jobs.close();
    let sum = 0;
    for await (const r of results) if (r.ok) sum += r.value;
    assert.equal(sum, 90);
  });

  it('starts tasks by priority when they wait in its queue', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
      concurrency: 1,
    });
    pool.pause();
    const order: unknown[] = [];
    const done = [1, 5, 3].map((priority) =>
      pool.run({ kind: 'echo', value: priority }, { priority }).then((v) => order.push(v)),
    );
    pool.resume();
    await Promise.all(done);
    assert.deepEqual(order, [5, 3, 1]);
  });

  it(
    'sends an idle thread its task at once, before the caller returns to the event loop',
    T,
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: 1,
      });
      await pool.run({ kind: 'echo', value: 'up' });
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const result = pool.run({ kind: 'mark', flag });
      // The main thread blocks here, inside the same synchronous turn as run(): the task must
      // already be on its way (a task sent with the next microtask's batch never starts).
      assert.equal(Atomics.wait(flag, 0, 0, 10_000), 'ok');
      assert.equal(await result, 'marked');
    },
  );

  it('emits the Pool events for tasks run on threads', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    const events: string[] = [];
    pool.on('succeeded', () => events.push('succeeded'));
    pool.on('failed', () => events.push('failed'));
    await pool.run({ kind: 'echo', value: 1 });
    await pool.run({ kind: 'throw' }).catch(() => {});
    assert.deepEqual(events, ['succeeded', 'failed']);
  });

  it('reports each thread in stats, with its utilization', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 2,
    });
    await Promise.all(
      Array.from({ length: 20 }, () => pool.run({ kind: 'spin', ms: 2, value: 0 })),
    );
    const { threads, succeeded } = pool.stats;
    assert.equal(succeeded, 20);
    assert.equal(threads.length, 2);
    assert.equal(
      threads.reduce((sum, t) => sum + t.completed, 0),
      20,
    );
    for (const t of threads) {
      assert.equal(t.running, 0);
      assert.ok(t.utilization >= 0 && t.utilization <= 1);
      assert.equal(typeof t.threadId, 'number');
    }
  });

  it('rejects run() after close() with PoolClosedError and ends every thread', T, async () => {
    const pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 2 });
    assert.equal(await pool.run(1), 2);
    await pool.close();
    await assert.rejects(pool.run(1), { code: 'CREW_POOL_CLOSED' });
    assert.equal(pool.stats.threads.length, 0);
    await pool.close();
  });

  it(
    'refuses map() and process() once close() was called, even before a thread is up',
    T,
    async () => {
      const pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 1 });
      const queued = pool.run(1); // waits for the thread, so close() does too
      const closing = pool.close();
      const results: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const result of pool.map([10, 11])) results.push(result);
        })(),
        { code: 'CREW_POOL_CLOSED' },
      );
      assert.deepEqual(results, []);
      // As Pool's: the results channel closes without a result, and no job is taken.
      const jobs = new Channel<number>(1);
      await jobs.send(12);
      const out = pool.process(jobs);
      assert.deepEqual(await out.receive(), { value: undefined, ok: false });
      assert.equal(jobs.length, 1);
      await closing;
      assert.equal(await queued, 2);
    },
  );

  it('settles close() when abort() follows it before any thread is up', T, async () => {
    const pool = new ThreadPool<number, number>(fixture('double.mjs'), { threads: 1 });
    const queued = pool.run(1);
    const closing = pool.close();
    await pool.abort(new Error('stop'));
    await closing;
    await assert.rejects(queued, { message: 'stop' });
    assert.equal(pool.stats.threads.length, 0);
  });

  it('settles close() when the pool signal aborts before any thread is up', T, async () => {
    const controller = new AbortController();
    const pool = new ThreadPool<number, number>(fixture('double.mjs'), {
      threads: 1,
      signal: controller.signal,
    });
    const queued = pool.run(1);
    const closing = pool.close();
    controller.abort(new Error('stop'));
    await closing;
    await assert.rejects(queued, { message: 'stop' });
    assert.equal(pool.stats.threads.length, 0);
  });

  it('runs what is queued before close() resolves', T, async () => {
    const pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 2,
      concurrency: 2,
    });
    const results = Array.from({ length: 10 }, (_, i) =>
      pool.run({ kind: 'sleep', ms: 1, value: i }),
    );
    await pool.close();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it(
    'starts threads up to threads.max while all are busy, and stops idle ones after idleTimeout',
    T,
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: { min: 0, max: 2 },
        idleTimeout: 10,
        concurrency: 3,
      });
      assert.equal(pool.stats.threads.length, 0, 'no thread before there is work');
      const tasks = await Promise.all([1, 2, 3].map(() => pool.submit({ kind: 'wait-abort' })));
      await until(() => pool.stats.threads.length === 2);
      assert.equal(pool.stats.running, 3);
      for (const task of tasks) task.cancel();
      await Promise.allSettled(tasks.map((task) => task.result));
      await until(() => pool.stats.threads.length === 0);
    },
  );

  it(
    'starts a thread again for a job that arrives through process() after every thread idled out',
    T,
    async () => {
      await using pool = new ThreadPool<number, number>(fixture('double.mjs'), {
        threads: { min: 0, max: 1 },
        idleTimeout: 0,
      });
      const jobs = new Channel<number>();
      const results = pool.process(jobs);
      await jobs.send(1);
      assert.deepEqual(await results.receive(), {
        ok: true,
        value: { job: 1, ok: true, value: 2, attempts: 1 },
      });
      await until(() => pool.stats.threads.length === 0);
      await jobs.send(2);
      assert.deepEqual(await results.receive(), {
        ok: true,
        value: { job: 2, ok: true, value: 4, attempts: 1 },
      });
      jobs.close();
    },
  );

  it('keeps threads.min threads when idle', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('double.mjs'), {
      threads: { min: 1, max: 2 },
      idleTimeout: 0,
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.run(i)));
    await until(() => pool.stats.threads.length === 1);
    assert.equal(await pool.run(2), 4);
  });
});

/** Waits until `condition` holds, checking on each turn of the event loop's timers. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
