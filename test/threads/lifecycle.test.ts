import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture } from './helpers.js';

const run = promisify(execFile);
const T = { timeout: 30_000 };

/** Runs a fixture program under tsx; it fails (is killed) if it does not exit by itself. */
async function program(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture(name)], {
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  return stdout.trim();
}

describe('ThreadPool lifecycle', () => {
  it('lets the process exit by itself after close()', T, async () => {
    assert.equal(await program('exits-after-close.ts'), 'results 2,4,6');
  });

  it('never keeps the process alive with an idle pool that was never closed', T, async () => {
    assert.equal(await program('exits-idle.ts'), 'result 42');
  });

  it('keeps the process alive while a task is in flight, then lets it exit', T, async () => {
    assert.equal(await program('stays-for-work.ts'), 'settled');
  });
});
