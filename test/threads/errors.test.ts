import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThreadPool } from '../../src/threads/index.js';
import { fixture, type Behaviour } from './helpers.js';

const T = { timeout: 20_000 };

async function failure(pool: ThreadPool<Behaviour, unknown>, job: Behaviour): Promise<unknown> {
  return pool.run(job).then(
    () => assert.fail('the task should fail'),
    (error: unknown) => error,
  );
}

describe('ThreadPool error fidelity', () => {
  it("keeps a handler error's name, message, code, own properties and cause chain", T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    const error = (await failure(pool, { kind: 'throw' })) as Error & Record<string, unknown>;
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'QuotaError');
    assert.equal(error.message, 'over quota');
    assert.equal(error.code, 'E_QUOTA');
    assert.equal(error.limit, 10);
    assert.deepEqual(error.details, { user: 'ann', tags: ['a', 'b'] });
    assert.ok(error.cause instanceof RangeError, 'a built-in cause keeps its class');
    assert.equal(error.cause.message, 'too many');
    assert.equal(error.cause.cause, 'root');
    assert.deepEqual(Object.keys(error).sort(), ['code', 'details', 'limit']);
  });

  it('keeps the stack from inside the thread and adds the awaiting caller', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    async function callerInTheTest(): Promise<unknown> {
      try {
        return await pool.run({ kind: 'throw' });
      } catch (error) {
        return error;
      }
    }
    const error = (await callerInTheTest()) as Error;
    assert.match(error.stack ?? '', /behaviours\.mjs/, 'the frame that threw, in the thread');
    assert.match(error.stack ?? '', /awaited from/);
    assert.match(error.stack ?? '', /callerInTheTest/, 'the caller on the main side');
  });

  it("adds the awaiting caller to a submitted task's error too", T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    async function awaitsSubmitted(): Promise<unknown> {
      const task = await pool.submit({ kind: 'throw' });
      try {
        return await task.result;
      } catch (error) {
        return error;
      }
    }
    async function awaitsTried(): Promise<unknown> {
      const task = pool.trySubmit({ kind: 'throw' });
      assert.ok(task !== undefined, 'an idle pool takes the task at once');
      try {
        return await task.result;
      } catch (error) {
        return error;
      }
    }
    for (const [caller, error] of [
      ['awaitsSubmitted', await awaitsSubmitted()],
      ['awaitsTried', await awaitsTried()],
    ] as const) {
      const stack = (error as Error).stack ?? '';
      assert.match(stack, /behaviours\.mjs/, 'the frame that threw, in the thread');
      assert.match(stack, /awaited from/);
      assert.match(stack, new RegExp(caller), 'the caller on the main side');
    }
  });

  it('returns a built-in error as an instance of its own class', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    const error = await failure(pool, { kind: 'throw-type' });
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'not a number');
  });

  it('rejects with a thrown non-error value as it is', T, async () => {
    await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
      threads: 1,
    });
    assert.equal(await failure(pool, { kind: 'throw-string' }), 'plain string');
  });

  it(
    "rejects with the handler's own abort reason class when it rethrows ctx.signal.reason",
    T,
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: 1,
        timeout: 30,
        retries: { retries: 1, minDelay: 0, retryIf: () => true },
      });
      // The first attempt times out (the Pool settles it with TaskTimeoutError); the retry too.
      await assert.rejects(pool.run({ kind: 'wait-abort' }), { code: 'CREW_TASK_TIMEOUT' });
    },
  );

  it(
    'fails a task whose result cannot be cloned with a DataCloneError, and only that task',
    T,
    async () => {
      await using pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), {
        threads: 1,
        concurrency: 4,
      });
      const [bad, good] = await Promise.allSettled([
        pool.run({ kind: 'unclonable' }),
        pool.run({ kind: 'echo', value: 'fine' }),
      ]);
      assert.equal(bad.status, 'rejected');
      assert.equal((bad.reason as Error).name, 'DataCloneError');
      assert.deepEqual(good, { status: 'fulfilled', value: 'fine' });
    },
  );

  it('never raises an unhandled rejection for a failed task nobody awaits', T, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), { threads: 1 });
      const job: Behaviour = { kind: 'throw' };
      void pool.run(job);
      pool.trySubmit(job);
      await pool.submit(job);
      const task = await pool.submit(job);
      await pool.close();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      // Whoever does await the task still sees the error.
      await assert.rejects(task.result, { message: 'over quota' });
      assert.equal(pool.stats.failed, 4);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('fails a task whose job cannot be cloned, without breaking the thread', T, async () => {
    await using pool = new ThreadPool<unknown, unknown>(fixture('noop.js'), { threads: 1 });
    await assert.rejects(
      pool.run(() => 1),
      { name: 'DataCloneError' },
    );
    assert.equal(await pool.run('after'), 'after');
  });
});
