import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCommand } from '../../src/cli/command.js';
import { ProcessGroups } from '../../src/cli/process-groups.js';
import { alive } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crew-command-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `file` exists and holds a line (the child wrote it), polling the file system. */
async function waitForFile(file: string): Promise<string> {
  for (;;) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text.trim();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('runCommand', () => {
  it('captures stdout and stderr and reports the exit code', { timeout: 10_000 }, async () => {
    const groups = new ProcessGroups();
    const outcome = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      signal: new AbortController().signal,
      capture: true,
      killGrace: 1000,
      groups,
    });
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.stdout.toString(), 'out\n');
    assert.equal(outcome.stderr.toString(), 'err\n');
    assert.equal(groups.size, 0);
  });

  it('passes each argument through untouched, without a shell', { timeout: 10_000 }, async () => {
    const args = ['$(id)', 'a b', "it's", '"q"', 'x; touch pwned', 'line\nbreak', 'ünï ☃', '*'];
    const outcome = await runCommand(
      ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...args],
      {
        signal: new AbortController().signal,
        capture: true,
        killGrace: 1000,
        groups: new ProcessGroups(),
      },
    );
    assert.deepEqual(JSON.parse(outcome.stdout.toString()), args);
  });

  it('resolves with 127 when the program does not exist', { timeout: 10_000 }, async () => {
    const outcome = await runCommand(['crew-no-such-program-xyz'], {
      signal: new AbortController().signal,
      capture: true,
      killGrace: 1000,
      groups: new ProcessGroups(),
    });
    assert.equal(outcome.exitCode, 127);
    assert.match(outcome.stderr.toString(), /crew-no-such-program-xyz/);
  });

  it(
    'captures output far larger than a pipe holds, byte for byte',
    { timeout: 10_000 },
    async () => {
      const outcome = await runCommand(
        [
          'node',
          '-e',
          "process.stdout.write('x'.repeat(3e6)); process.stderr.write('e'.repeat(1e5))",
        ],
        {
          signal: new AbortController().signal,
          capture: true,
          killGrace: 1000,
          groups: new ProcessGroups(),
        },
      );
      assert.equal(outcome.exitCode, 0);
      assert.equal(outcome.stdout.length, 3e6);
      assert.equal(outcome.stderr.toString(), 'e'.repeat(1e5));
    },
  );

  it(
    'is over when the command exits, though a background process it left still runs',
    { timeout: 10_000 },
    async () => {
      const pidfile = join(dir, 'left.pid');
      const outcome = await runCommand(['sh', '-c', `sleep 30 & echo $! > ${pidfile}; echo done`], {
        signal: new AbortController().signal,
        capture: true,
        killGrace: 1000,
        groups: new ProcessGroups(),
      });
      assert.equal(outcome.stdout.toString(), 'done\n');
      const left = Number(await waitForFile(pidfile));
      assert.ok(alive(left));
      process.kill(left, 'SIGKILL');
    },
  );

  it(
    'an abort kills the whole process group, grandchildren included',
    { timeout: 10_000 },
    async () => {
      const pidfile = join(dir, 'grandchild.pid');
      const controller = new AbortController();
      const groups = new ProcessGroups();
      const running = runCommand(['sh', '-c', `sleep 30 & echo $! > ${pidfile}; wait`], {
        signal: controller.signal,
        capture: true,
        killGrace: 1000,
        groups,
      });
      const grandchild = Number(await waitForFile(pidfile));
      assert.ok(alive(grandchild));
      assert.equal(groups.size, 1);
      controller.abort();
      const outcome = await running;
      assert.equal(outcome.exitCode, null);
      assert.equal(outcome.signal, 'SIGTERM');
      assert.equal(alive(grandchild), false);
      assert.equal(groups.size, 0);
    },
  );

  it(
    'escalates to SIGKILL after the grace when the group ignores SIGTERM',
    { timeout: 10_000 },
    async () => {
      const ready = join(dir, 'ignoring.ready');
      const controller = new AbortController();
      const running = runCommand(
        ['sh', '-c', `trap '' TERM; echo x > ${ready}; while :; do sleep 0.05; done`],
        {
          signal: controller.signal,
          capture: true,
          killGrace: 100,
          groups: new ProcessGroups(),
        },
      );
      await waitForFile(ready);
      controller.abort();
      const outcome = await running;
      assert.equal(outcome.signal, 'SIGKILL');
    },
  );
});
