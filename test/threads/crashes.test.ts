import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidModuleError, ThreadCrashError } from '../../src/errors.js';
import { ThreadPool } from '../../src/threads/index.js';
import { fixture, type Behaviour } from './helpers.js';

const T = { timeout: 30_000 };

function pool(options: ConstructorParameters<typeof ThreadPool>[1] = {}) {
  return new ThreadPool<Behaviour, unknown>(fixture('behaviours.mjs'), { threads: 1, ...options });
}

/** The crash kinds, each with what its ThreadCrashError's cause must look like. */
const crashes: [string, Behaviour, (cause: unknown) => boolean][] = [
  [
    'an uncaught exception',
    { kind: 'uncaught' },
    (cause) => cause instanceof Error && cause.message === 'uncaught in the thread',
  ],
  [
    'an unhandled rejection',
    { kind: 'unhandled-rejection' },
    (cause) => cause instanceof Error && cause.message === 'nobody handles this',
  ],
  ['process.exit()', { kind: 'exit', code: 3 }, (cause) => cause === 3],
];

describe('ThreadPool crashes', () => {
  for (const [what, job, causeIs] of crashes) {
    it(
      `fails the task of a thread killed by ${what} with ThreadCrashError, and goes on`,
      T,
      async () => {
        await using p = pool();
        const before = await p.run({ kind: 'thread-id' });
        const error = await p.run(job).then(
          () => assert.fail('the task should fail'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof ThreadCrashError);
        assert.equal(error.code, 'CREW_THREAD_CRASHED');
        assert.ok(causeIs(error.cause), `unexpected cause: ${String(error.cause)}`);
        const after = await p.run({ kind: 'thread-id' });
        assert.notEqual(after, before, 'the crashed thread was replaced');
        assert.equal(await p.run({ kind: 'echo', value: 'still working' }), 'still working');
      },
    );
  }

  it(
    'fails a thread that runs out of resourceLimits memory with ThreadCrashError, and goes on',
    T,
    async () => {
      await using p = pool({
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
      await assert.rejects(p.run({ kind: 'oom' }), (error: unknown) => {
        assert.ok(error instanceof ThreadCrashError);
        assert.equal((error.cause as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
        return true;
      });
      assert.equal(await p.run({ kind: 'echo', value: 1 }), 1);
    },
  );

  it('retries a task whose thread crashed, where retries allow', T, async () => {
    await using p = pool({ retries: { retries: 1, minDelay: 0 } });
    assert.equal(await p.run({ kind: 'exit-on-first-attempt' }), 'recovered');
    assert.equal(p.stats.retried, 1);
  });

  it(
    'runs the tasks a crashed thread had not started on another thread, without using an attempt',
    T,
    async () => {
      await using p = pool({ concurrency: 10 });
      // One message carries all of them; the first kills the thread before the others start.
      const crash = p.run({ kind: 'exit', code: 1 });
      const others = Array.from({ length: 5 }, (_, i) => p.run({ kind: 'echo', value: i }));
      await assert.rejects(crash, ThreadCrashError);
      assert.deepEqual(await Promise.all(others), [0, 1, 2, 3, 4]);
    },
  );

  it('fails the other running tasks of a crashed thread with ThreadCrashError', T, async () => {
    await using p = pool({ concurrency: 10 });
    const waiting = p.run({ kind: 'sleep', ms: 60_000, value: 0 });
    const crash = p.run({ kind: 'uncaught' });
    await assert.rejects(crash, ThreadCrashError);
    await assert.rejects(waiting, ThreadCrashError);
  });
});

describe('ThreadPool handler modules that cannot be used', () => {
  const broken: [string, string][] = [
    ['a module without a default export', 'no-default.mjs'],
    ['a module whose default export is not a function', 'default-not-function.mjs'],
    ['a module that throws while loading', 'load-throws.mjs'],
    ['a module that does not exist', 'does-not-exist.mjs'],
  ];
  for (const [what, file] of broken) {
    it(`fails tasks for ${what} with InvalidModuleError on the first task`, T, async () => {
      await using p = new ThreadPool<number, number>(fixture(file), { threads: 2 });
      await assert.rejects(p.run(1), (error: unknown) => {
        assert.ok(error instanceof InvalidModuleError);
        assert.equal(error.code, 'CREW_MODULE_INVALID');
        return true;
      });
      await assert.rejects(p.run(2), { code: 'CREW_MODULE_INVALID' });
    });
  }

  it('puts the loading error in cause', T, async () => {
    await using p = new ThreadPool<number, number>(fixture('load-throws.mjs'), { threads: 1 });
    await assert.rejects(p.run(1), (error: unknown) => {
      assert.ok(error instanceof InvalidModuleError);
      assert.equal((error.cause as Error).message, 'this module cannot load');
      return true;
    });
  });

  it('does not restart threads in a storm when the module keeps failing to load', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crew-load-'));
    const log = join(dir, 'loads.log');
    process.env.CREW_TEST_LOAD_LOG = log;
    try {
      await using p = new ThreadPool<number, number>(fixture('load-throws-counted.mjs'), {
        threads: 2,
      });
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => p.run(i)));
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          assert.equal((r.reason as InvalidModuleError).code, 'CREW_MODULE_INVALID');
        }
      }
      const loads = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
      // 100 tasks; the 2 first threads failed, then new ones start only after a backoff.
      assert.ok(loads <= 4, `${loads} threads were started for 100 failing tasks`);
    } finally {
      delete process.env.CREW_TEST_LOAD_LOG;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
