import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { Output } from '../../src/cli/output.js';
import { below, prng, seeds, shuffle } from '../random.js';

function capture(): {
  streams: { stdout: PassThrough; stderr: PassThrough };
  text: () => [string, string];
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  return { streams: { stdout, stderr }, text: () => [out.join(''), err.join('')] };
}

describe('Output', () => {
  it('prints a block as soon as it comes without --keep-order', () => {
    const { streams, text } = capture();
    const output = new Output(false, undefined, streams);
    output.print(2, 'two\n', 'err two\n');
    output.print(1, Buffer.from('one\n'), undefined);
    assert.deepEqual(text(), ['two\none\n', 'err two\n']);
  });

  it('holds blocks until every earlier input has printed or been skipped, with --keep-order', () => {
    const { streams, text } = capture();
    const output = new Output(true, undefined, streams);
    output.print(3, 'three\n', undefined);
    output.print(2, 'two\n', undefined);
    assert.deepEqual(text(), ['', '']);
    output.skip(1);
    assert.deepEqual(text(), ['two\nthree\n', '']);
  });

  it('flush() prints what is held, in order, when the run ends early', () => {
    const { streams, text } = capture();
    const output = new Output(true, undefined, streams);
    output.print(4, 'four\n', undefined);
    output.print(2, 'two\n', undefined);
    output.flush();
    assert.deepEqual(text(), ['two\nfour\n', '']);
  });

  it('keeps input order and prints every block exactly once, whatever order jobs end in', () => {
    for (const seed of seeds(50)) {
      const random = prng(seed);
      const n = 1 + below(random, 60);
      const order = shuffle(
        random,
        Array.from({ length: n }, (_, i) => i + 1),
      );
      const skipped = new Set(order.filter(() => random() < 0.2));
      const { streams, text } = capture();
      const output = new Output(true, undefined, streams);
      for (const seq of order) {
        if (skipped.has(seq)) output.skip(seq);
        else output.print(seq, `out ${seq}\n`, `err ${seq}\n`);
      }
      const expected = Array.from({ length: n }, (_, i) => i + 1).filter(
        (seq) => !skipped.has(seq),
      );
      const [out, err] = text();
      assert.equal(out, expected.map((seq) => `out ${seq}\n`).join(''), `seed ${seed}`);
      assert.equal(err, expected.map((seq) => `err ${seq}\n`).join(''), `seed ${seed}`);
    }
  });
});
