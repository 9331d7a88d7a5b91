import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool } from '../../src/index.js';
import { kOutcome, type Outcome } from '../../src/pool/internal.js';
import { TaskRecord } from '../../src/threads/task-record.js';

const T = { timeout: 5_000 };

/** An outcome settled by the test, recording how the pool subscribed. */
class Manual implements Outcome {
  subscriptions = 0;
  #fulfilled: ((value: unknown) => void) | undefined;
  #rejected: ((error: unknown) => void) | undefined;

  [kOutcome](fulfilled: (value: unknown) => void, rejected: (error: unknown) => void): void {
    this.subscriptions++;
    this.#fulfilled = fulfilled;
    this.#rejected = rejected;
  }

  fulfil(value: unknown): void {
    this.#fulfilled!(value);
  }

  reject(error: unknown): void {
    this.#rejected!(error);
  }
}

const owner = { abortTask: () => {} };

describe('a wrapper’s outcome records (the ThreadPool’s attempts)', () => {
  it(
    'a handler may return an outcome; the pool subscribes once and settles with it',
    T,
    async () => {
      const outcomes: Manual[] = [];
      const pool = new Pool<number, unknown>(() => {
        const outcome = new Manual();
        outcomes.push(outcome);
        return outcome;
      });
      const ok = pool.run(1);
      const failed = pool.run(2);
      assert.equal(outcomes.length, 2);
      assert.deepEqual(
        outcomes.map((o) => o.subscriptions),
        [1, 1],
      );
      outcomes[0]!.fulfil('one');
      outcomes[1]!.reject(new Error('two'));
      assert.equal(await ok, 'one');
      await assert.rejects(failed, /two/);
      assert.equal(pool.stats.succeeded, 1);
      assert.equal(pool.stats.failed, 1);
      await pool.close();
    },
  );

  it(
    'a record is also a thenable: awaiting it gives its value or throws its error',
    T,
    async () => {
      const good = new TaskRecord(owner, 'job', 1, undefined);
      const bad = new TaskRecord(owner, 'job', 1, undefined);
      const waiting = Promise.allSettled([good, bad].map(async (record) => await record));
      good.ok = true;
      good.value = 42;
      good.deliver();
      bad.ok = false;
      bad.value = new Error('boom');
      bad.deliver();
      const [first, second] = await waiting;
      assert.deepEqual(first, { status: 'fulfilled', value: 42 });
      assert.equal(second!.status, 'rejected');
      assert.match(String((second as PromiseRejectedResult).reason), /boom/);
    },
  );

  it(
    'an outcome that came before anyone subscribed is told later, never during the subscription',
    T,
    async () => {
      const record = new TaskRecord(owner, 'job', 1, undefined);
      record.ok = true;
      record.value = 'early';
      record.deliver();
      let told: unknown = 'nothing yet';
      record[kOutcome](
        (value) => (told = value),
        () => assert.fail('rejected'),
      );
      assert.equal(told, 'nothing yet');
      await Promise.resolve();
      assert.equal(told, 'early');
    },
  );
});
