// End to end: `crew run` when jobs fail — retries, timeouts, --halt, exit status, bad usage.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, crew, fixtures, jsonLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crew-fail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ResultLine {
  seq: number;
  input: string;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  attempts: number;
  error?: { code?: string; name: string };
}

function results(file: string): ResultLine[] {
  return jsonLines<ResultLine>(file).sort((a, b) => a.seq - b.seq);
}

// Succeeds on the attempt whose number is in $2, counting attempts in the file $1.
const FLAKY =
  'n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1"; echo "attempt $n"; [ $n -ge $2 ]';

// Each test has its own files and its own crew process, so they run side by side.
describe('crew run when jobs fail', { concurrency: 4 }, () => {
  it(
    'retries a failing command up to --retries times and records the attempts',
    { timeout: 20_000 },
    async () => {
      const file = join(dir, 'retries.jsonl');
      const { status, stdout } = await crew([
        'run',
        '--retries',
        '2',
        '--results',
        file,
        '-k',
        '--',
        'sh',
        '-c',
        FLAKY,
        'sh',
        `${dir}/count-{#}`,
        '{}',
        ':::',
        '3',
        '4',
      ]);
      assert.equal(status, 1); // the second needs 4 attempts; 3 are allowed
      const [first, second] = results(file);
      assert.deepEqual([first!.ok, first!.attempts, first!.exitCode], [true, 3, 0]);
      assert.deepEqual([second!.ok, second!.attempts, second!.exitCode], [false, 3, 1]);
      assert.equal(second!.error?.code, 'CREW_COMMAND_FAILED');
      // Only the last attempt's output is printed.
      assert.equal(stdout, 'attempt 3\nattempt 3\n');
    },
  );

  it('a timeout kills the command’s whole process tree', { timeout: 20_000 }, async () => {
    const pidfile = join(dir, 'tree.pid');
    const file = join(dir, 'timeout.jsonl');
    const { status, stderr } = await crew([
      'run',
      '--timeout',
      '300ms',
      '--results',
      file,
      '--',
      'sh',
      '-c',
      `sleep 30 & echo $! > ${pidfile}; wait`,
      ':::',
      'x',
    ]);
    assert.equal(status, 1);
    const grandchild = Number(readFileSync(pidfile, 'utf8'));
    assert.equal(alive(grandchild), false);
    const [line] = results(file);
    assert.equal(line!.error?.code, 'CREW_TASK_TIMEOUT');
    assert.equal(line!.signal, 'SIGTERM');
    assert.match(stderr, /timed out/);
  });

  it(
    '--halt now,fail=1 kills the running jobs and starts no more',
    { timeout: 20_000 },
    async () => {
      const pidfile = join(dir, 'halt.pid');
      const file = join(dir, 'halt.jsonl');
      // Job 1 waits until job 2 (the slow one) is running, then fails.
      const script = `if [ "$1" = fail ]; then while [ ! -s ${pidfile} ]; do sleep 0.01; done; exit 1; fi; echo $$ > ${pidfile}; exec sleep 30`;
      const { status } = await crew([
        'run',
        '-j',
        '2',
        '--halt',
        'now,fail=1',
        '--results',
        file,
        '--',
        'sh',
        '-c',
        script,
        'sh',
        ':::',
        'fail',
        'slow',
        'never1',
        'never2',
      ]);
      const ran = results(file);
      assert.deepEqual(
        ran.map((r) => r.input),
        ['fail', 'slow'],
      );
      assert.equal(ran[1]!.signal, 'SIGTERM');
      assert.equal(alive(Number(readFileSync(pidfile, 'utf8'))), false);
      assert.equal(status, 2); // both failed: the one that failed and the one killed
    },
  );

  it(
    '--halt soon,fail=1 lets the running jobs finish and starts no more',
    { timeout: 20_000 },
    async () => {
      const marker = join(dir, 'soon.started');
      const file = join(dir, 'soon.jsonl');
      const script = `if [ "$1" = fail ]; then while [ ! -e ${marker} ]; do sleep 0.01; done; exit 1; fi; touch ${marker}; sleep 0.3`;
      const { status } = await crew([
        'run',
        '-j',
        '2',
        '--halt',
        'soon,fail=1',
        '--results',
        file,
        '--',
        'sh',
        '-c',
        script,
        'sh',
        ':::',
        'fail',
        'slow',
        'never1',
        'never2',
      ]);
      const ran = results(file);
      assert.deepEqual(
        ran.map((r) => [r.input, r.ok]),
        [
          ['fail', false],
          ['slow', true],
        ],
      );
      assert.equal(status, 1);
    },
  );

  it('exits with the number of failed jobs, at most 101', { timeout: 30_000 }, async () => {
    const three = await crew([
      'run',
      '--',
      'sh',
      '-c',
      'exit $1',
      'sh',
      ':::',
      '0',
      '1',
      '2',
      '0',
      '7',
    ]);
    assert.equal(three.status, 3);
    assert.match(three.stderr, /3 of 5 jobs failed/);
    const many = await crew(['run', '-j', '8', 'false'], {
      stdin: Array.from({ length: 105 }, (_, i) => `${i}`).join('\n'),
    });
    assert.equal(many.status, 101);
    const none = await crew(['run', 'true', ':::', 'a']);
    assert.equal(none.status, 0);
    assert.equal(none.stderr, '');
  });

  it('a command that cannot be started fails its jobs with 127', { timeout: 20_000 }, async () => {
    const file = join(dir, 'missing.jsonl');
    const { status } = await crew([
      'run',
      '--results',
      file,
      '--',
      '{}',
      ':::',
      'crew-no-such-program-xyz',
    ]);
    assert.equal(status, 1);
    assert.equal(results(file)[0]!.exitCode, 127);
  });

  it(
    'a job whose input holds a NUL byte fails with 127 and says why; the other jobs run',
    { timeout: 20_000 },
    async () => {
      const file = join(dir, 'nul.jsonl');
      const { status, stdout, stderr } = await crew(['run', '-k', '--results', file, 'echo'], {
        stdin: Buffer.from('a\0b\nc\n'),
      });
      assert.equal(status, 1);
      assert.equal(stdout, 'c\n');
      assert.match(stderr, /crew: "echo": an argument holds a NUL byte.*--null/);
      assert.deepEqual(
        results(file).map((line) => line.exitCode),
        [127, 0],
      );
    },
  );

  it(
    'what a job leaves running and writes after the job ended never reaches another job',
    { timeout: 20_000 },
    async () => {
      // Job 1 leaves a process behind that writes once job 2 has started; job 2 ends only after
      // that write. crew reuses capture files from job to job, but never those of a job whose
      // process group is still there.
      const started = join(dir, 'leftover-started');
      const wrote = join(dir, 'leftover-wrote');
      const jobs = [
        `echo first; (while [ ! -e ${started} ]; do sleep 0.01; done; echo LATE; echo LATE >&2; touch ${wrote}) &`,
        `touch ${started}; while [ ! -e ${wrote} ]; do sleep 0.01; done; echo second`,
      ];
      const { status, stdout, stderr } = await crew(['run', '-j', '1', '--', 'sh', '-c', '{}'], {
        stdin: jobs.join('\n'),
      });
      assert.equal(status, 0, stderr);
      assert.equal(stdout, 'first\nsecond\n');
      assert.doesNotMatch(stderr, /LATE/);
    },
  );

  it(
    'CREW_SPAWNER picks what starts the commands; auto takes the first that works; a bad value or an interpreter that cannot is bad usage',
    { timeout: 60_000 },
    async () => {
      const { mkdirSync, chmodSync, copyFileSync } = await import('node:fs');
      const folder = (name: string, files: Record<string, string>): string => {
        const path = join(dir, name);
        mkdirSync(path);
        for (const [file, source] of Object.entries(files)) {
          writeFileSync(join(path, file), source);
          chmodSync(join(path, file), 0o755);
        }
        return path;
      };
      // Interpreters that cannot run crew's spawners, first on PATH: scripts that fail, and
      // a python3 that is a program but not Python.
      const brokenPerl = folder('broken-perl', { perl: '#!/bin/sh\nexit 1\n' });
      const brokenPython = folder('broken-python', {});
      copyFileSync('/bin/false', join(brokenPython, 'python3'));
      // A version manager's shim: a script, passed over for the python3 after it on PATH.
      const shim = folder('shim', { python3: '#!/bin/sh\necho SHIM >&2; exit 1\n' });
      const path = (...dirs: string[]) => ({ PATH: [...dirs, process.env.PATH].join(':') });
      const empty = folder('empty-path', {});
      // Each job prints the name of the process that started it: the spawner. (Node.js 24 and
      // later name their main thread, so a Node.js spawner shows as `MainThread` on 24 and
      // `node-MainThread` on 26.)
      const run = (env: Record<string, string>, command = 'sh') =>
        crew(['run', '-k', '--', command, '-c', 'cat /proc/$PPID/comm', ':::', 'a', 'b'], {
          env,
        });
      const nodeName = /^(node|MainThread|node-MainThread)$/;
      const started = [
        [{ CREW_SPAWNER: 'python' }, /^python/],
        [{ CREW_SPAWNER: 'perl' }, /^perl$/],
        [{ CREW_SPAWNER: 'node' }, nodeName],
        [{ CREW_SPAWNER: 'auto' }, /^python/],
        [{ CREW_SPAWNER: 'python', ...path(shim) }, /^python/],
        [{ CREW_SPAWNER: 'auto', ...path(brokenPython) }, /^perl$/],
        [{ CREW_SPAWNER: 'auto', ...path(brokenPython, brokenPerl) }, nodeName],
      ] as const;
      for (const [env, spawner] of started) {
        const { status, stdout, stderr } = await run(env);
        assert.deepEqual({ status, stderr }, { status: 0, stderr: '' }, JSON.stringify(env));
        const names = stdout.trim().split('\n');
        assert.equal(names.length, 2);
        for (const name of names) assert.match(name, spawner, JSON.stringify(env));
      }
      const bad = [
        [
          { CREW_SPAWNER: 'bash' },
          /^crew: CREW_SPAWNER must be one of auto, python, perl, node; got "bash"\n$/,
        ],
        [
          { CREW_SPAWNER: 'perl', ...path(brokenPerl) },
          /^crew: CREW_SPAWNER=perl, but .*broken-perl\/perl cannot run crew's spawner \(it needs the modules POSIX, Fcntl, Errno and Config\)\n$/,
        ],
        [
          { CREW_SPAWNER: 'perl', PATH: empty },
          /^crew: CREW_SPAWNER=perl, but there is no perl on PATH\n$/,
        ],
        [
          { CREW_SPAWNER: 'python', ...path(brokenPython) },
          /^crew: CREW_SPAWNER=python, but .*broken-python\/python3 cannot run crew's spawner \(it needs Python 3.8 or later, with os.posix_spawnp\)\n$/,
        ],
        [
          { CREW_SPAWNER: 'python', PATH: shim },
          /^crew: CREW_SPAWNER=python, but there is no python3 on PATH\n$/,
        ],
      ] as const;
      for (const [env, message] of bad) {
        const { status, stdout, stderr } = await run(env, '/bin/sh');
        assert.equal(status, 2, stderr);
        assert.equal(stdout, '');
        assert.match(stderr, message);
      }
    },
  );

  it(
    'the spawners are invisible: no warnings or modules of their own, and commands get crew’s environment',
    { timeout: 60_000 },
    async () => {
      // An uninstalled locale makes perl warn at start-up; PERL5OPT=-d would start perl's
      // debugger, PERL_UNICODE=SDA put UTF-8 layers on its files; PYTHONVERBOSE=1 makes Python
      // report every import, PYTHONPATH (or a module in crew's working folder) would replace
      // the modules the Python spawner imports, and in the C locale Python adds LC_CTYPE to its
      // environment. None may reach a spawner, and the commands must see each as crew had it.
      const evil = join(dir, 'evil-modules');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(evil);
      for (const name of ['struct', 'select', 'signal', 'time', 'errno']) {
        writeFileSync(join(evil, `${name}.py`), 'import sys\nsys.stderr.write("EVIL\\n")\n');
      }
      const variables = ['PERL_BADLANG', 'PERL5OPT', 'PERL_UNICODE', 'PYTHONVERBOSE', 'PYTHONPATH'];
      const show = [
        'run',
        '--',
        'sh',
        '-c',
        `echo ${variables.map((name) => `"\${${name}-unset}"`).join(' ')} "[\${LC_CTYPE-unset}]"`,
        ':::',
        'a',
      ];
      const noLocale = { LANG: '', LC_ALL: '', LC_CTYPE: '' };
      const hostile = {
        PERL_BADLANG: '1',
        PERL5OPT: '-d',
        PERL_UNICODE: 'SDA',
        PYTHONVERBOSE: '1',
        PYTHONPATH: evil,
      };
      for (const CREW_SPAWNER of ['python', 'perl', 'node']) {
        const plain = await crew(show, { env: { LC_ALL: 'xx_XX.UTF-8', CREW_SPAWNER } });
        assert.deepEqual(plain, {
          status: 0,
          signal: null,
          stdout: `${variables.map(() => 'unset').join(' ')} [unset]\n`,
          stderr: '',
        });
        const set = await crew(show, {
          env: { ...noLocale, ...hostile, CREW_SPAWNER },
          cwd: evil,
        });
        assert.deepEqual(set, {
          status: 0,
          signal: null,
          stdout: `1 -d SDA 1 ${evil} []\n`,
          stderr: '',
        });
      }
    },
  );

  it(
    'bad usage prints one line on stderr and exits 2 before any job starts',
    { timeout: 60_000 },
    async () => {
      const marker = join(dir, 'should-not-exist');
      writeFileSync(join(dir, 'not-a-handler.txt'), 'hello');
      // Malformed values of every flag are checked in args.test.ts; here, one of them, and each
      // check that needs the file system or the module loader.
      const cases: string[][] = [
        ['run', '--no-such-flag', 'touch', marker],
        ['run', '--timeout', '5 parsecs', 'touch', marker],
        ['run', '--input', join(dir, 'missing.txt'), 'touch', marker],
        ['run', '--module', join(dir, 'missing.ts')],
        ['run', '--module', join(fixtures, 'no-default.mjs')],
        ['run', 'crew-no-such-program-xyz', marker],
        ['run', '--joblog', join(dir, 'no', 'such', 'dir', 'log'), 'touch', marker],
        ['frobnicate'],
      ];
      const runs = await Promise.all(cases.map((args) => crew(args, { stdin: 'x\n' })));
      for (const [i, { status, stderr, stdout }] of runs.entries()) {
        const label = cases[i]!.join(' ');
        assert.equal(status, 2, label);
        assert.equal(stderr.trim().split('\n').length, 1, `${label}: ${stderr}`);
        assert.match(stderr, /^crew: /, label);
        assert.equal(stdout, '', label);
      }
      const { existsSync } = await import('node:fs');
      assert.equal(existsSync(marker), false);
    },
  );

  it('documents every flag in crew run --help', { timeout: 20_000 }, async () => {
    const { status, stdout } = await crew(['run', '--help']);
    assert.equal(status, 0);
    const flags = [
      '--input',
      '--null',
      '--json',
      '--module',
      '--threads',
      '--jobs',
      '--retries',
      '--retry-delay',
      '--timeout',
      '--kill-grace',
      '--rate',
      '--halt',
      '--keep-order',
      '--ungroup',
      '--results',
      '--joblog',
      '--resume',
      '--progress',
      '--quiet',
      '--dry-run',
      '--help',
    ];
    for (const flag of flags) assert.ok(stdout.includes(flag), flag);
    for (const placeholder of ['{}', '{.}', '{/}', '{//}', '{/.}', '{#}', '{%}']) {
      assert.ok(stdout.includes(placeholder), placeholder);
    }
    const top = await crew(['--help']);
    assert.equal(top.status, 0);
    assert.match(top.stdout, /crew run --help/);
  });
});
