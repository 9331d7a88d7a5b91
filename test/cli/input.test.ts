import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Inputs } from '../../src/cli/input.js';

async function all(inputs: Inputs): Promise<string[]> {
  const out: string[] = [];
  for await (const input of inputs) out.push(input);
  return out;
}

describe('Inputs', () => {
  it('splits a stream on newlines, dropping \\r and empty lines', { timeout: 5000 }, async () => {
    const inputs = Inputs.read(Readable.from(['a\r\nb', 'c\n\n', 'd']), '\n');
    assert.deepEqual(await all(inputs), ['a', 'bc', 'd']);
    assert.equal(inputs.total, 3);
  });

  it('splits on NUL bytes and keeps newlines inside an input', { timeout: 5000 }, async () => {
    const inputs = Inputs.read(Readable.from([Buffer.from('a\nb\0c d\0')]), '\0');
    assert.deepEqual(await all(inputs), ['a\nb', 'c d']);
  });

  it('decodes UTF-8 split across chunks', { timeout: 5000 }, async () => {
    const bytes = Buffer.from('ünï ☃\n');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(await all(Inputs.read(Readable.from(chunks), '\n')), ['ünï ☃']);
  });

  it(
    'knows the total of a list at once and of a stream only at its end',
    { timeout: 5000 },
    async () => {
      assert.equal(Inputs.of(['x', 'y']).total, 2);
      const stream = new Readable({ read() {} });
      const inputs = Inputs.read(stream, '\n');
      stream.push('a\n');
      const iterator = inputs[Symbol.asyncIterator]();
      assert.deepEqual(await iterator.next(), { value: 'a', done: false });
      assert.equal(inputs.total, undefined);
      stream.push(null);
      assert.deepEqual(await iterator.next(), { value: undefined, done: true });
      assert.equal(inputs.total, 1);
    },
  );

  it('close() ends iteration while the source is still open', { timeout: 5000 }, async () => {
    const stream = new Readable({ read() {} });
    const inputs = Inputs.read(stream, '\n');
    const iterator = inputs[Symbol.asyncIterator]();
    const waiting = iterator.next();
    inputs.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    stream.destroy();
  });

  it('rejects when the source fails', { timeout: 5000 }, async () => {
    const stream = new Readable({
      read() {
        this.destroy(Object.assign(new Error('boom'), { code: 'EIO' }));
      },
    });
    await assert.rejects(all(Inputs.read(stream, '\n')), { code: 'EIO' });
  });

  it('hands out many inputs in order', { timeout: 5000 }, async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    assert.deepEqual(await all(Inputs.read(Readable.from([lines.join('\n')]), '\n')), lines);
  });
});

describe('Inputs, randomized', () => {
  it(
    'yields the same inputs however the stream is cut into chunks',
    { timeout: 10_000 },
    async () => {
      const { prng, seeds, below } = await import('../random.js');
      const alphabet = ['a', 'b', ' ', 'ü', '☃', '\r', '日', '$', '\n', '\n', '\0'];
      for (const seed of seeds(40)) {
        const random = prng(seed);
        const separator = random() < 0.5 ? '\n' : '\0';
        const text = Array.from(
          { length: below(random, 300) },
          () => alphabet[below(random, alphabet.length)]!,
        ).join('');
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length;) {
          const size = 1 + below(random, 16);
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const expected = text
          .split(separator)
          .map((part) => (separator === '\n' && part.endsWith('\r') ? part.slice(0, -1) : part))
          .filter((part) => part.length > 0);
        const got = await all(Inputs.read(Readable.from(chunks), separator));
        assert.deepEqual(got, expected, `seed ${seed}`);
      }
    },
  );
});
