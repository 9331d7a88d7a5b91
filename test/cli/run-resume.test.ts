// End to end: `crew run`'s records and interruptions — results file, job log, resume, signals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  alive,
  aliveAfter,
  crew,
  jsonLines,
  lines,
  start,
  whenInDir,
  whenPrinted,
} from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'crew-resume-'));
after(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
function folder(): string {
  const dir = join(root, String(++made));
  mkdirSync(dir);
  return dir;
}

interface LogLine {
  seq: number;
  input: string;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  attempts: number;
  start: string;
  duration: number;
  stdout?: string;
  stderr?: string;
}

function records(file: string): LogLine[] {
  return jsonLines<LogLine>(file);
}

// Each test has its own files and its own crew process, so they run side by side.
describe('crew run records and interruptions', { concurrency: 4 }, () => {
  it(
    'writes one results line per job with input, outcome, attempts, start, duration and output',
    { timeout: 20_000 },
    async () => {
      const dir = folder();
      const file = join(dir, 'results.jsonl');
      const before = Date.now();
      const { status } = await crew([
        'run',
        '--results',
        file,
        '--',
        'sh',
        '-c',
        'echo "out $1"; echo "err $1" >&2; exit $1',
        'sh',
        ':::',
        '0',
        '3',
      ]);
      assert.equal(status, 1);
      const [ok, failed] = records(file).sort((a, b) => a.seq - b.seq);
      assert.deepEqual(
        { ...ok!, start: undefined, duration: undefined },
        {
          seq: 1,
          input: '0',
          ok: true,
          exitCode: 0,
          signal: null,
          attempts: 1,
          stdout: 'out 0\n',
          stderr: 'err 0\n',
          start: undefined,
          duration: undefined,
        },
      );
      assert.equal(failed!.ok, false);
      assert.equal(failed!.exitCode, 3);
      for (const line of [ok!, failed!]) {
        assert.ok(Date.parse(line.start) >= before - 1000);
        assert.ok(line.duration >= 0);
      }
    },
  );

  it(
    '--resume after a killed run skips what succeeded and runs the rest',
    { timeout: 30_000 },
    async () => {
      const dir = folder();
      const log = join(dir, 'joblog.jsonl');
      const ran = join(dir, 'ran.txt');
      // Input 2 fails and input 4 blocks, until `release` exists.
      const script = [
        `echo "$1" >> ${ran}`,
        `if [ "$1" = 4 ] && [ ! -e ${dir}/release ]; then echo $$ > ${dir}/blocked.pid; exec sleep 30; fi`,
        `[ "$1" != 2 ] || [ -e ${dir}/release ]`,
      ].join('; ');
      const args = [
        'run',
        '-j',
        '1',
        '--joblog',
        log,
        '--',
        'sh',
        '-c',
        script,
        'sh',
        ':::',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
      ];
      const first = start(args);
      await whenInDir(
        dir,
        // Once input 4 blocks and the first three are in the log.
        () => lines(join(dir, 'blocked.pid')).length > 0 && lines(log).length === 3,
      );
      first.child.kill('SIGKILL');
      await first.done;
      // crew's spawner stops the blocked job once crew is gone; make sure it has, in case the
      // spawner is not there yet (a group already gone is fine).
      try {
        process.kill(-Number(readFileSync(join(dir, 'blocked.pid'), 'utf8')), 'SIGKILL');
      } catch {
        // ESRCH: already stopped.
      }
      assert.deepEqual(
        records(log).map((r) => [r.input, r.ok]),
        [
          ['1', true],
          ['2', false],
          ['3', true],
        ],
      );

      writeFileSync(join(dir, 'release'), '');
      const second = await crew(['run', '--resume', ...args.slice(1)]);
      assert.equal(second.status, 0);
      assert.deepEqual(lines(ran), ['1', '2', '3', '4', '2', '4', '5', '6']);
      const succeeded = records(log)
        .filter((r) => r.ok)
        .map((r) => r.input)
        .sort();
      assert.deepEqual(succeeded, ['1', '2', '3', '4', '5', '6']);
      assert.match(second.stderr, /2 skipped/); // inputs 1 and 3
    },
  );

  it(
    'resume keys on position and input: a changed input list runs the changed positions',
    { timeout: 20_000 },
    async () => {
      const dir = folder();
      const log = join(dir, 'joblog.jsonl');
      await crew(['run', '--joblog', log, 'true', ':::', 'a', 'b', 'c']);
      const ran = join(dir, 'ran.txt');
      const { status } = await crew([
        'run',
        '--resume',
        '--joblog',
        log,
        '-j',
        '1',
        '--',
        'sh',
        '-c',
        `echo "$1" >> ${ran}`,
        'sh',
        ':::',
        'a',
        'x',
        'c',
        'd',
      ]);
      assert.equal(status, 0);
      assert.deepEqual(lines(ran), ['x', 'd']);
    },
  );

  it(
    'the first SIGINT starts no new job and lets the running ones finish',
    { timeout: 30_000 },
    async () => {
      const dir = folder();
      const log = join(dir, 'joblog.jsonl');
      const script = `touch ${dir}/started-$1; while [ ! -e ${dir}/release ]; do sleep 0.01; done; echo "done $1"`;
      const run = start([
        'run',
        '-j',
        '2',
        '-k',
        '--joblog',
        log,
        '--',
        'sh',
        '-c',
        script,
        'sh',
        ':::',
        'a',
        'b',
        'c',
        'd',
      ]);
      await whenInDir(
        dir,
        () => existsSync(join(dir, 'started-a')) && existsSync(join(dir, 'started-b')),
      );
      const told = whenPrinted(run.child, 'stderr', /no new jobs will start/);
      run.child.kill('SIGINT');
      await told;
      writeFileSync(join(dir, 'release'), '');
      const { status, stdout } = await run.done;
      assert.equal(status, 130);
      assert.equal(stdout, 'done a\ndone b\n');
      assert.equal(existsSync(join(dir, 'started-c')), false);
      assert.deepEqual(
        records(log)
          .map((r) => [r.input, r.ok])
          .sort(),
        [
          ['a', true],
          ['b', true],
        ],
      );
    },
  );

  it(
    'a second signal kills the running jobs’ whole process groups',
    { timeout: 30_000 },
    async () => {
      const dir = folder();
      const log = join(dir, 'joblog.jsonl');
      const script = `sleep 30 & echo $! > ${dir}/grandchild-$1.pid; wait`;
      const run = start([
        'run',
        '-j',
        '2',
        '--joblog',
        log,
        '--',
        'sh',
        '-c',
        script,
        'sh',
        ':::',
        'a',
        'b',
        'c',
      ]);
      const pidfiles = ['a', 'b'].map((job) => join(dir, `grandchild-${job}.pid`));
      await whenInDir(dir, () => pidfiles.every((file) => lines(file).length > 0));
      const grandchildren = pidfiles.map((file) => Number(readFileSync(file, 'utf8')));
      assert.ok(grandchildren.every(alive));
      const told = whenPrinted(run.child, 'stderr', /no new jobs will start/);
      run.child.kill('SIGINT');
      await told;
      run.child.kill('SIGTERM');
      const { status } = await run.done;
      assert.equal(status, 130);
      assert.deepEqual(grandchildren.map(alive), [false, false]);
      assert.equal(existsSync(join(dir, 'grandchild-c.pid')), false);
      // Killed jobs count as failed, so that a --resume runs them again.
      assert.deepEqual(
        records(log)
          .map((r) => [r.input, r.ok])
          .sort(),
        [
          ['a', false],
          ['b', false],
        ],
      );
    },
  );

  it('a hang-up kills the running jobs at once and exits 129', { timeout: 20_000 }, async () => {
    const dir = folder();
    const script = `sleep 30 & echo $! > ${dir}/grandchild.pid; wait`;
    const run = start(['run', '-j', '1', '--', 'sh', '-c', script, ':::', 'a', 'b']);
    const pidfile = join(dir, 'grandchild.pid');
    await whenInDir(dir, () => lines(pidfile).length > 0);
    const grandchild = Number(readFileSync(pidfile, 'utf8'));
    run.child.kill('SIGHUP');
    const { status } = await run.done;
    assert.equal(status, 129);
    assert.equal(alive(grandchild), false);
  });

  it('exits 143 when stopped by SIGTERM', { timeout: 20_000 }, async () => {
    const dir = folder();
    const run = start(['run', '--', 'sh', '-c', `touch ${dir}/started; sleep 0.2`, ':::', 'a']);
    await whenInDir(dir, () => existsSync(join(dir, 'started')));
    run.child.kill('SIGTERM');
    const { status } = await run.done;
    assert.equal(status, 143);
  });

  it(
    'crew killed with SIGKILL leaves none of its running jobs behind',
    { timeout: 20_000 },
    async () => {
      const dir = folder();
      // Each job and its background child hold the FIFO open for writing; the test's reader
      // sees its end only once every one of them is gone.
      const fifo = join(dir, 'held');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      const script = `exec 3>${fifo}; sleep 30 & echo $! > ${dir}/grandchild-$1.pid; wait`;
      const run = start(['run', '-j', '2', '--', 'sh', '-c', script, 'sh', ':::', 'a', 'b']);
      const reader = createReadStream(fifo);
      const ended = new Promise<void>((resolve) => reader.on('end', resolve).resume());
      const pidfiles = ['a', 'b'].map((job) => join(dir, `grandchild-${job}.pid`));
      await whenInDir(dir, () => pidfiles.every((file) => lines(file).length > 0));
      const grandchildren = pidfiles.map((file) => Number(readFileSync(file, 'utf8')));
      assert.ok(grandchildren.every(alive));
      run.child.kill('SIGKILL');
      await run.done;
      await ended;
      assert.deepEqual(await aliveAfter(grandchildren), [false, false]);
    },
  );
});
