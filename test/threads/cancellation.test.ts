import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskTimeoutError } from '../../src/errors.js';
import { ThreadPool } from '../../src/threads/index.js';
import { firstBroadcast, fixture, type Behaviour } from './helpers.js';

const T = { timeout: 30_000 };
let channels = 0;
const channelName = (): string => `crew-test-${process.pid}-${channels++}`;

function pool(options: ConstructorParameters<typeof ThreadPool>[1] = {}) {
  return new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), { threads: 1, ...options });
}

describe('ThreadPool cancellation into the thread', () => {
  it(
    'aborts ctx.signal inside the thread when the task is cancelled, with the reason',
    T,
    async () => {
      await using p = pool();
      const name = channelName();
      const seen = firstBroadcast(name);
      const task = await p.submit({ kind: 'report-abort', channel: name });
      const reason = new RangeError('no longer needed');
      await p.run({ kind: 'echo', value: 'the first task has started' });
      task.cancel(reason);
      await assert.rejects(task.result, (e: unknown) => e === reason);
      assert.deepEqual(await seen, {
        name: 'RangeError',
        code: undefined,
        message: 'no longer needed',
      });
    },
  );

  it(
    'aborts ctx.signal inside the thread with TaskTimeoutError when the attempt times out',
    T,
    async () => {
      await using p = pool({ timeout: 50 });
      const name = channelName();
      const seen = firstBroadcast(name);
      await assert.rejects(p.run({ kind: 'report-abort', channel: name }), TaskTimeoutError);
      assert.deepEqual(await seen, {
        name: 'TaskTimeoutError',
        code: 'CREW_TASK_TIMEOUT',
        message: 'The task timed out after 50 ms',
      });
    },
  );

  it('aborts ctx.signal inside the thread when the pool aborts', T, async () => {
    const p = pool();
    const name = channelName();
    const seen = firstBroadcast(name);
    const running = p.run({ kind: 'report-abort', channel: name });
    await p.run({ kind: 'echo', value: 'started' });
    const reason = new Error('shutting down');
    await p.abort(reason);
    await assert.rejects(running, (e: unknown) => e === reason);
    assert.equal(((await seen) as { message: string }).message, 'shutting down');
  });

  it(
    'terminates and replaces a thread whose handler ignores its signal past terminateGrace',
    T,
    async () => {
      await using p = pool({ terminateGrace: 20 });
      const before = await p.run({ kind: 'thread-id' });
      // The timeout is the ignoring task's alone: on a loaded machine a fresh thread's first
      // task may take longer than 30 ms, and that must not fail the test.
      await assert.rejects(p.run({ kind: 'ignore-abort' }, { timeout: 30 }), TaskTimeoutError);
      // The worker slot stays busy until the thread is gone; the next task runs on a new one.
      const after = await p.run({ kind: 'thread-id' });
      assert.notEqual(after, before);
    },
  );

  it(
    'settles a cancelled task that ignores its signal with the cancel reason at once',
    T,
    async () => {
      await using p = pool({ terminateGrace: 20 });
      const task = await p.submit({ kind: 'ignore-abort' });
      const reason = new Error('stop');
      task.cancel(reason);
      await assert.rejects(task.result, (e: unknown) => e === reason);
      assert.equal(await p.run({ kind: 'echo', value: 'next' }), 'next');
    },
  );

  it('lets close() resolve when a handler ignored an abort, by ending its thread', T, async () => {
    const p = pool({ terminateGrace: 20 });
    const task = await p.submit({ kind: 'ignore-abort' });
    task.cancel();
    await assert.rejects(task.result, { name: 'AbortError' });
    await p.close();
    assert.equal(p.stats.threads.length, 0);
  });

  it(
    'an abort that reaches the thread after its task finished leaves alone the task that takes its place',
    T,
    async () => {
      // One task at a time: the second takes the first one's place on the thread once the
      // first one's outcome is back, while the first one's abort is still on its way there.
      await using p = pool({ concurrency: 1 });
      const name = channelName();
      const started = firstBroadcast(name);
      const first = await p.submit({
        kind: 'announce-then-spin',
        channel: name,
        ms: 250, // ample time for the announcement to arrive, and the abort to leave, first
        value: 1,
      });
      const second = p.run({ kind: 'aborted-after', ms: 20 });
      await started;
      const reason = new Error('too late');
      first.cancel(reason);
      await assert.rejects(first.result, (e: unknown) => e === reason);
      assert.equal(await second, false);
    },
  );

  it(
    "counts a task's timeout from when its thread starts it, not from when it was sent",
    T,
    async () => {
      // Both tasks go to the one thread at once; the second waits there for the first.
      await using pool = new ThreadPool<number, number>(fixture('spin.mjs'), {
        threads: 1,
        concurrency: 2,
        timeout: 300,
      });
      let mostRunning = 0;
      pool.on('started', () => void (mostRunning = Math.max(mostRunning, pool.stats.running)));
      const first = pool.run(200);
      const second = pool.run(200);
      // The second runs from about 200 ms to 400 ms after it was sent: within its 300 ms.
      assert.deepEqual(await Promise.all([first, second]), [200, 200]);
      assert.equal(mostRunning, 2, 'both were on the thread at once');
      assert.equal(pool.stats.failed, 0);
    },
  );

  it('still times out a task that runs too long after waiting in its thread', T, async () => {
    await using pool = new ThreadPool<number, number>(fixture('spin.mjs'), {
      threads: 1,
      concurrency: 2,
      timeout: 150,
      terminateGrace: 50,
    });
    const first = pool.run(100);
    const second = pool.run(1_000);
    assert.equal(await first, 100);
    await assert.rejects(second, { code: 'CREW_TASK_TIMEOUT' });
  });

  it('never starts a task cancelled while it waited in the queue', T, async () => {
    await using p = pool({ concurrency: 1 });
    const name = channelName();
    const blocker = p.run({ kind: 'sleep', ms: 30, value: 'done' });
    const queued = await p.submit({ kind: 'report-abort', channel: name });
    queued.cancel();
    await assert.rejects(queued.result, { name: 'AbortError' });
    assert.equal(await blocker, 'done');
    assert.equal(queued.attempts, 0);
  });

  it(
    'aborts the pool, its running tasks in their threads, and ends the threads when its signal aborts',
    T,
    async () => {
      const controller = new AbortController();
      const p = pool({ signal: controller.signal });
      const name = channelName();
      const seen = firstBroadcast(name);
      const running = p.run({ kind: 'report-abort', channel: name });
      await p.run({ kind: 'echo', value: 'started' });
      const reason = new Error('the app is shutting down');
      controller.abort(reason);
      await assert.rejects(running, (e: unknown) => e === reason);
      assert.equal(((await seen) as { message: string }).message, 'the app is shutting down');
      await p.close();
      assert.equal(p.stats.threads.length, 0);
      await assert.rejects(p.run({ kind: 'echo', value: 1 }), { code: 'CREW_POOL_CLOSED' });
    },
  );
});
