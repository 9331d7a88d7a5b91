import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { formatValue, quoteArgv } from '../../src/cli/format.js';

describe('formatValue', () => {
  it('prints strings as they are and anything else as JSON, one line each', () => {
    assert.equal(formatValue('hi'), 'hi\n');
    assert.equal(formatValue('done\n'), 'done\n');
    assert.equal(formatValue({ a: [1, null] }), '{"a":[1,null]}\n');
    assert.equal(formatValue(0), '0\n');
    assert.equal(formatValue(null), 'null\n');
    assert.equal(formatValue(undefined), undefined);
  });

  it('shows what JSON cannot as Node.js does', () => {
    assert.equal(formatValue(10n), '10n\n');
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    assert.match(formatValue(cycle)!, /Circular/);
  });
});

describe('quoteArgv', () => {
  it('quotes so that a POSIX shell reads back exactly the same arguments', () => {
    const argv = [
      'printf',
      '%s\\n',
      'plain',
      'a b',
      "it's",
      '$(id)',
      '`x`',
      'line\nbreak',
      '',
      'ünï',
    ];
    const line = quoteArgv(argv);
    const back = execFileSync(
      'sh',
      ['-c', `for a in "$@"; do printf '[%s]' "$a"; done`, 'sh', ...argv.slice(1)],
      {
        encoding: 'utf8',
      },
    );
    const viaLine = execFileSync(
      'sh',
      ['-c', `set -- ${line.slice('printf '.length)}; for a in "$@"; do printf '[%s]' "$a"; done`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(viaLine, back);
  });
});
