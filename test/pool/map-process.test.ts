import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Channel, Pool, PoolClosedError, type Result } from '../../src/index.js';
import { flush, gate, turns, until } from './helpers.js';

const T = { timeout: 10_000 };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('Pool: map', () => {
  it('yields a result per job; a failed job is a result, not a thrown error', T, async () => {
    const pool = new Pool(
      async (n: number) => {
        await turns(n % 3);
        if (n === 4) throw new Error('four');
        return n * n;
      },
      { concurrency: 3 },
    );
    const results = await collect(pool.map([1, 2, 3, 4, 5]));
    const byJob = new Map(results.map((r) => [r.job, r]));
    assert.equal(results.length, 5);
    assert.deepEqual(byJob.get(3), { job: 3, ok: true, value: 9, attempts: 1 });
    const failed = byJob.get(4)!;
    assert.equal(failed.ok, false);
    assert.match((failed as { error: Error }).error.message, /four/);
    await pool.close();
  });

  it('ordered: true yields in input order even when jobs finish out of order', T, async () => {
    const pool = new Pool(
      async (n: number) => {
        await turns(10 - n);
        return n;
      },
      { concurrency: 4 },
    );
    const results = await collect(pool.map([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { ordered: true }));
    assert.deepEqual(
      results.map((r) => r.job),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    await pool.close();
  });

  it(
    'pulls at most 2 × concurrency jobs ahead of what was yielded, ordered or not',
    T,
    async () => {
      for (const ordered of [false, true]) {
        let pulled = 0;
        function* input(): Generator<number> {
          for (let i = 0; i < 1_000_000; i++) {
            pulled++;
            yield i;
          }
        }
        const pool = new Pool((n: number) => Promise.resolve(n), { concurrency: 3 });
        let yielded = 0;
        let maxAhead = 0;
        for await (const r of pool.map(input(), { ordered })) {
          yielded++;
          maxAhead = Math.max(maxAhead, pulled - yielded);
          assert.ok(r.ok);
          if (yielded === 2_000) break;
        }
        assert.ok(maxAhead <= 6, `pulled ${maxAhead} ahead (ordered: ${ordered})`);
        assert.ok(pulled < 2_010);
        await pool.close();
      }
    },
  );

  it('a slow head of the line holds the ordered window instead of growing it', T, async () => {
    const head = gate<number>();
    let pulled = 0;
    function* input(): Generator<number> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    const pool = new Pool((n: number) => (n === 0 ? head.promise : n), { concurrency: 2 });
    const iterator = pool.map(input(), { ordered: true });
    const first = iterator.next();
    await until(() => pool.stats.succeeded >= 3);
    await flush();
    assert.equal(pulled, 4);
    head.open(0);
    assert.deepEqual((await first).value, { job: 0, ok: true, value: 0, attempts: 1 });
    const rest = await collect(iterator);
    assert.equal(rest.length, 99);
    await pool.close();
  });

  it('accepts async iterables', T, async () => {
    async function* input(): AsyncGenerator<number> {
      for (let i = 0; i < 20; i++) {
        await flush();
        yield i;
      }
    }
    const pool = new Pool((n: number) => n + 1, { concurrency: 4 });
    const results = await collect(pool.map(input(), { ordered: true }));
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value : -1)),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await pool.close();
  });

  it('break cancels jobs in flight and closes the input', T, async () => {
    let closed = false;
    const never = gate<number>();
    function* input(): Generator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const pool = new Pool((n: number) => (n === 0 ? n : never.promise), { concurrency: 2 });
    for await (const r of pool.map(input())) {
      assert.equal(r.job, 0);
      break;
    }
    assert.equal(closed, true);
    await until(() => pool.stats.queued === 0);
    assert.ok(pool.stats.cancelled >= 1);
    never.open(1);
    await pool.close();
  });

  it('an aborted map signal cancels jobs in flight and throws its reason', T, async () => {
    const controller = new AbortController();
    const never = gate<number>();
    const pool = new Pool(() => never.promise, { concurrency: 2 });
    const iterator = pool.map([1, 2, 3, 4, 5], { signal: controller.signal });
    const next = iterator.next();
    await until(() => pool.stats.running === 2);
    controller.abort(new Error('map aborted'));
    await assert.rejects(next, /map aborted/);
    assert.equal((await iterator.next()).done, true);
    assert.equal(pool.stats.cancelled, 4);
    never.open(0);
    await pool.close();
  });

  it(
    'an input that throws ends the iteration with its error after the results already pulled',
    T,
    async () => {
      function* input(): Generator<number> {
        yield 1;
        yield 2;
        throw new Error('input broke');
      }
      const pool = new Pool((n: number) => n, { concurrency: 4 });
      const seen: number[] = [];
      await assert.rejects(async () => {
        for await (const r of pool.map(input())) seen.push(r.job);
      }, /input broke/);
      assert.deepEqual(seen.sort(), [1, 2]);
      await pool.close();
    },
  );

  it('a pool closed during a map ends the iteration with PoolClosedError', T, async () => {
    const pool = new Pool((n: number) => Promise.resolve(n), { concurrency: 1 });
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const r of pool.map([1, 2, 3, 4, 5, 6, 7, 8])) {
        seen.push(r.job);
        if (seen.length === 1) void pool.close();
      }
    }, PoolClosedError);
    // The jobs pulled before close() still ran and were yielded.
    assert.ok(seen.length >= 1 && seen.length < 8);
    assert.equal(pool.stats.succeeded, seen.length);
  });

  it('an empty input ends at once', T, async () => {
    const pool = new Pool((n: number) => n);
    assert.deepEqual(await collect(pool.map([])), []);
    await pool.close();
  });

  it('next() called several times without awaiting gets each result once', T, async () => {
    const pool = new Pool((n: number) => Promise.resolve(n), { concurrency: 2 });
    const iterator = pool.map([1, 2, 3]);
    const calls = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ]);
    assert.deepEqual(
      calls
        .slice(0, 3)
        .map((c) => (c.value as Result<number, number>).job)
        .sort(),
      [1, 2, 3],
    );
    assert.equal(calls[3]?.done, true);
    await pool.close();
  });
});

describe('Pool: process (channels)', () => {
  it(
    'reads jobs from a channel and closes the results channel after the jobs channel closed and all settled',
    T,
    async () => {
      const pool = new Pool(
        async (n: number) => {
          await turns(n % 2);
          if (n === 3) throw new Error('three');
          return n * 2;
        },
        { concurrency: 2 },
      );
      const jobs = new Channel<number>(2);
      const results = pool.process(jobs);
      const sending = (async () => {
        for (let i = 0; i < 6; i++) await jobs.send(i);
        jobs.close();
      })();
      const got: Result<number, number>[] = [];
      for await (const r of results) got.push(r);
      await sending;
      assert.equal(results.closed, true);
      assert.deepEqual(got.map((r) => r.job).sort(), [0, 1, 2, 3, 4, 5]);
      assert.equal(got.filter((r) => !r.ok).length, 1);
      await pool.close();
    },
  );

  it(
    'a results channel nobody reads stops the pool from taking jobs (backpressure)',
    T,
    async () => {
      const pool = new Pool((n: number) => n, { concurrency: 1 });
      const jobs = new Channel<number>(0);
      const results = pool.process(jobs);
      let sent = 0;
      const sending = (async () => {
        for (let i = 0; i < 100; i++) {
          await jobs.send(i);
          sent++;
        }
      })();
      await turns(20);
      assert.ok(sent < 10, `sent ${sent}`);
      jobs.close();
      const rest: number[] = [];
      for await (const r of results) rest.push(r.job);
      await sending.catch(() => {}); // the remaining sends reject: the channel closed
      assert.equal(rest.length, sent);
      await pool.close();
    },
  );

  it('rejects a jobs argument that is not a Channel', () => {
    const pool = new Pool((n: number) => n);
    assert.throws(() => pool.process([] as never), { code: 'CREW_INVALID_OPTION' });
  });
});
