import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderProgress } from '../../src/cli/progress.js';

describe('renderProgress', () => {
  it('shows a bar, done/total, percent, failures, rate and ETA when the total is known', () => {
    const line = renderProgress(
      { done: 50, failed: 2, skipped: 0, running: 4, total: 100, elapsed: 10_000 },
      200,
    );
    assert.match(line, /^\[#{10}-{10}\] 50\/100 50%/);
    assert.match(line, /2 failed/);
    assert.match(line, /4 running/);
    assert.match(line, /5\.0\/s/);
    assert.match(line, /ETA 10s/);
  });

  it('shows a count and a rate while the total is unknown', () => {
    const line = renderProgress(
      { done: 7, failed: 0, skipped: 0, running: 1, total: undefined, elapsed: 1000 },
      200,
    );
    assert.match(line, /^7 done/);
    assert.doesNotMatch(line, /ETA|failed|%/);
  });

  it('counts jobs skipped by --resume out of the total', () => {
    const line = renderProgress(
      { done: 10, failed: 0, skipped: 90, running: 0, total: 100, elapsed: 1000 },
      200,
    );
    assert.match(line, /10\/10 100%/);
    assert.match(line, /90 skipped/);
  });

  it('cuts the line to the terminal width', () => {
    const line = renderProgress(
      { done: 1, failed: 1, skipped: 1, running: 1, total: 10, elapsed: 1 },
      20,
    );
    assert.ok(line.length < 20);
  });
});
