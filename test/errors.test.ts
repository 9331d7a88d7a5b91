import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelClosedError,
  CrewError,
  InvalidOptionError,
  PoolClosedError,
  TaskTimeoutError,
  ThreadCrashError,
} from '../src/index.js';

describe('errors', () => {
  it('instanceof tells the classes apart and accepts no look-alike', () => {
    const closed = new PoolClosedError();
    assert.ok(closed instanceof PoolClosedError);
    assert.ok(closed instanceof CrewError);
    assert.ok(!(closed instanceof ChannelClosedError));
    assert.ok(!(new Error('plain') instanceof CrewError));
    const lookAlike = Object.assign(new Error('not crew'), { code: 'CREW_POOL_CLOSED' });
    assert.ok(!(lookAlike instanceof PoolClosedError), 'a code alone does not make a crew error');
    assert.ok(!(lookAlike instanceof CrewError));
    assert.equal(PoolClosedError.code, 'CREW_POOL_CLOSED');
  });

  it('every error is a CrewError with a stable code and its class name', () => {
    const cases: [CrewError, string, string][] = [
      [
        new InvalidOptionError('concurrency', 0, 'an integer ≥ 1'),
        'CREW_INVALID_OPTION',
        'InvalidOptionError',
      ],
      [new ChannelClosedError(), 'CREW_CHANNEL_CLOSED', 'ChannelClosedError'],
      [new PoolClosedError(), 'CREW_POOL_CLOSED', 'PoolClosedError'],
      [new TaskTimeoutError(50), 'CREW_TASK_TIMEOUT', 'TaskTimeoutError'],
      [new ThreadCrashError('gone', { cause: 1 }), 'CREW_THREAD_CRASHED', 'ThreadCrashError'],
    ];
    for (const [error, code, name] of cases) {
      assert.ok(error instanceof CrewError);
      assert.ok(error instanceof Error);
      assert.equal(error.code, code);
      assert.equal(error.name, name);
    }
  });

  it('an invalid option error names the option, the value and what is expected', () => {
    const error = new InvalidOptionError('concurrency', 0, 'an integer ≥ 1');
    assert.equal(error.option, 'concurrency');
    assert.equal(error.value, 0);
    assert.match(error.message, /`concurrency`/);
    assert.match(error.message, /an integer ≥ 1/);
    assert.match(error.message, /`0` \(number\)/);
  });

  it('a thread crash keeps its cause', () => {
    assert.equal(new ThreadCrashError('gone', { cause: 137 }).cause, 137);
  });
});
