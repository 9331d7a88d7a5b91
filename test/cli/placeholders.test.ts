import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandTemplate } from '../../src/cli/placeholders.js';

function fill(argv: string[], input: string, seq = 1, slot = 1): string[] {
  return new CommandTemplate(argv).fill({ input, seq, slot });
}

describe('CommandTemplate', () => {
  it('replaces each placeholder with GNU parallel’s meaning of it', () => {
    // The expected values are what GNU parallel 20221122 prints for the same inputs.
    const table: [string, string, string, string, string, string][] = [
      // input, {}, {.}, {/}, {//}, {/.}
      ['a/b.c/d.e.f', 'a/b.c/d.e.f', 'a/b.c/d.e', 'd.e.f', 'a/b.c', 'd.e'],
      ['foo', 'foo', 'foo', 'foo', '.', 'foo'],
      ['/x/y', '/x/y', '/x/y', 'y', '/x', 'y'],
      ['.bashrc', '.bashrc', '', '.bashrc', '.', ''],
      ['dir/.hidden', 'dir/.hidden', 'dir/', '.hidden', 'dir', ''],
      ['a/b/', 'a/b/', 'a/b/', '', 'a', ''],
      ['x.tar.gz', 'x.tar.gz', 'x.tar', 'x.tar.gz', '.', 'x.tar'],
      ['/', '/', '/', '', '/', ''],
      ['foo.', 'foo.', 'foo', 'foo.', '.', 'foo'],
    ];
    for (const [input, ...expected] of table) {
      assert.deepEqual(fill(['echo', '{}', '{.}', '{/}', '{//}', '{/.}'], input), [
        'echo',
        ...expected,
      ]);
    }
  });

  it('replaces {#} with the sequence number and {%} with the slot', () => {
    assert.deepEqual(fill(['echo', '{#}', '{%}', 'n{#}s{%}'], 'x', 42, 3), [
      'echo',
      '42',
      '3',
      'n42s3',
    ]);
  });

  it('substitutes inside one argument, keeping the text around a placeholder', () => {
    assert.deepEqual(fill(['gzip', '-c', '{}', '--out={.}.gz'], 'dir/a b.txt'), [
      'gzip',
      '-c',
      'dir/a b.txt',
      '--out=dir/a b.gz',
    ]);
  });

  it('appends the input as one argument when the command has no placeholder', () => {
    assert.deepEqual(fill(['gzip', '-k'], 'my file; rm -rf ~'), [
      'gzip',
      '-k',
      'my file; rm -rf ~',
    ]);
    assert.equal(new CommandTemplate(['gzip', '-k']).appendsInput, true);
  });

  it('does not append the input when only {#} or {%} appears, as GNU parallel does', () => {
    assert.deepEqual(fill(['echo', '{#}'], 'x', 7), ['echo', '7']);
    assert.equal(new CommandTemplate(['echo', '{%}']).appendsInput, false);
  });

  it('never reinterprets an input: quotes, $(…), newlines and placeholders in it stay as they are', () => {
    for (const input of ['$(id)', '`id`', "it's", '"q"', 'a\nb', '{}', '{.}', 'ünï ☃', '$HOME']) {
      assert.deepEqual(fill(['echo', 'pre{}post'], input), ['echo', `pre${input}post`]);
    }
  });

  it('leaves unknown brace expressions alone', () => {
    assert.deepEqual(fill(['awk', '{print $1}', '{}'], 'f'), ['awk', '{print $1}', 'f']);
  });
});
