import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThreadPool } from '../../src/threads/index.js';
import { firstBroadcast, fixture } from './helpers.js';

const T = { timeout: 20_000 };

describe('ThreadPool transfers', () => {
  it('moves a job buffer listed in transfer into the thread instead of copying it', T, async () => {
    await using pool = new ThreadPool<Uint8Array, Uint8Array>(fixture('bytes.ts'), { threads: 1 });
    const input = new Uint8Array([0, 1, 254, 255]);
    const output = await pool.run(input, { transfer: [input.buffer] });
    assert.equal(input.byteLength, 0, 'the caller no longer owns the buffer');
    assert.deepEqual([...output], [255, 254, 1, 0]);
  });

  it('copies a job buffer that is not listed, leaving the caller its own', T, async () => {
    await using pool = new ThreadPool<Uint8Array, Uint8Array>(fixture('bytes.ts'), { threads: 1 });
    const input = new Uint8Array([7]);
    assert.deepEqual([...(await pool.run(input))], [248]);
    assert.deepEqual([...input], [7]);
  });

  it(
    'moves result buffers back with transfer() and hands the caller the value itself',
    T,
    async () => {
      await using pool = new ThreadPool<Uint8Array, Uint8Array>(fixture('bytes.ts'), {
        threads: 2,
        concurrency: 8,
      });
      // Many at once, so several results (and their buffers) travel in one message.
      const outputs = await Promise.all(
        Array.from({ length: 50 }, (_, i) => pool.run(new Uint8Array(1024).fill(i))),
      );
      outputs.forEach((output, i) => {
        assert.ok(output instanceof Uint8Array);
        assert.equal(output.byteLength, 1024);
        assert.equal(output[0], 255 - i);
      });
    },
  );

  it('leaves the thread without the result buffers it moved back', T, async () => {
    await using pool = new ThreadPool<string, Uint8Array>(fixture('moved.ts'), { threads: 1 });
    const channel = `crew-moved-${process.pid}`;
    const left = firstBroadcast(channel);
    const output = await pool.run(channel);
    assert.deepEqual([...output], [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(await left, 0);
  });
});
