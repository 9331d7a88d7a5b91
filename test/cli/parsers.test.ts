import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/duration.js';
import { parseHalt } from '../../src/cli/halt.js';
import { parseRate } from '../../src/cli/rate.js';

function usageError(fn: () => unknown): void {
  assert.throws(fn, { code: 'CREW_CLI_USAGE' });
}

describe('parseDuration', () => {
  it('reads milliseconds, seconds, minutes and hours, and a bare number as seconds', () => {
    assert.equal(parseDuration('--timeout', '500ms'), 500);
    assert.equal(parseDuration('--timeout', '30s'), 30_000);
    assert.equal(parseDuration('--timeout', '2m'), 120_000);
    assert.equal(parseDuration('--timeout', '1h'), 3_600_000);
    assert.equal(parseDuration('--timeout', '1.5s'), 1500);
    assert.equal(parseDuration('--timeout', '10'), 10_000);
  });

  it('rejects zero, negatives, unknown units and junk as bad usage', () => {
    for (const text of ['0', '0s', '-1s', '5x', 's', '', '1e3', '10 minutes', 'NaN']) {
      usageError(() => parseDuration('--timeout', text));
    }
  });
});

describe('parseRate', () => {
  it('reads a count per second, minute, hour or duration', () => {
    assert.deepEqual(parseRate('--rate', '10/s'), { limit: 10, interval: 1000 });
    assert.deepEqual(parseRate('--rate', '100/m'), { limit: 100, interval: 60_000 });
    assert.deepEqual(parseRate('--rate', '5000/h'), { limit: 5000, interval: 3_600_000 });
    assert.deepEqual(parseRate('--rate', '3/500ms'), { limit: 3, interval: 500 });
  });

  it('rejects malformed rates as bad usage', () => {
    for (const text of ['10', '0/s', '/s', '10/', '10/x', '-1/s', '1.5/s', 'fast']) {
      usageError(() => parseRate('--rate', text));
    }
  });
});

describe('parseHalt', () => {
  it('reads now and soon with fail=N or success=N, and never', () => {
    assert.deepEqual(parseHalt('--halt', 'now,fail=1'), { when: 'now', on: 'fail', count: 1 });
    assert.deepEqual(parseHalt('--halt', 'soon,fail=3'), { when: 'soon', on: 'fail', count: 3 });
    assert.deepEqual(parseHalt('--halt', 'now,success=2'), {
      when: 'now',
      on: 'success',
      count: 2,
    });
    assert.equal(parseHalt('--halt', 'never'), undefined);
  });

  it('rejects anything else as bad usage', () => {
    for (const text of [
      'now',
      'later,fail=1',
      'now,fail=0',
      'now,fail=x',
      'soon,done=1',
      'now,fail=10%',
    ]) {
      usageError(() => parseHalt('--halt', text));
    }
  });
});
