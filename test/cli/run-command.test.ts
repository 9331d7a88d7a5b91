// End to end: `crew run` with command handlers — placeholders, quoting, inputs, output.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crew } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crew-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PRINT_ARGV = [
  'node',
  '-e',
  'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n")',
];

// Each test has its own files and its own crew process, so they run side by side.
describe('crew run with a command', { concurrency: 4 }, () => {
  it('fills every placeholder, one argument each', { timeout: 20_000 }, async () => {
    const { status, stdout } = await crew([
      'run',
      '-k',
      '-j',
      '1',
      '--',
      ...PRINT_ARGV,
      '{}',
      '{.}',
      '{/}',
      '{//}',
      '{/.}',
      '{#}',
      '{%}',
      'x{/.}y',
      ':::',
      'a/b.c/d.e.f',
      'foo',
      '/x/y',
    ]);
    assert.equal(status, 0);
    assert.deepEqual(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[]),
      [
        ['a/b.c/d.e.f', 'a/b.c/d.e', 'd.e.f', 'a/b.c', 'd.e', '1', '1', 'xd.ey'],
        ['foo', 'foo', 'foo', '.', 'foo', '2', '1', 'xfooy'],
        ['/x/y', '/x/y', 'y', '/x', 'y', '3', '1', 'xyy'],
      ],
    );
  });

  it(
    'passes spaces, quotes, ;, $(…), newlines and non-ASCII through as data, never to a shell',
    { timeout: 20_000 },
    async () => {
      const inputs = [
        'a b  c',
        `it's "quoted"`,
        'x; touch pwned',
        '$(touch pwned2)',
        '`id`',
        'two\nlines',
        'ünïcödé ☃ 日本',
        '*',
        '-n',
      ];
      const { status, stdout } = await crew(['run', '--null', '-k', '--', ...PRINT_ARGV, '[{}]'], {
        cwd: dir,
        stdin: inputs.join('\0'),
      });
      assert.equal(status, 0);
      assert.deepEqual(
        stdout
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as string[])[0]),
        inputs.map((input) => `[${input}]`),
      );
      assert.equal(existsSync(join(dir, 'pwned')), false);
      assert.equal(existsSync(join(dir, 'pwned2')), false);
    },
  );

  it(
    'appends the input as the last argument when there is no placeholder',
    { timeout: 20_000 },
    async () => {
      const { status, stdout } = await crew(['run', '--', ...PRINT_ARGV, 'first'], {
        stdin: 'one two\n',
      });
      assert.equal(status, 0);
      assert.deepEqual(JSON.parse(stdout), ['first', 'one two']);
    },
  );

  it('reads inputs from stdin, from --input and after :::', { timeout: 20_000 }, async () => {
    const file = join(dir, 'inputs.txt');
    writeFileSync(file, 'f1\r\nf2\n\nf3');
    const fromFile = await crew(['run', '-k', '--input', file, 'echo']);
    const fromStdin = await crew(['run', '-k', 'echo'], { stdin: 's1\ns2\n' });
    const fromArgs = await crew(['run', '-k', 'echo', ':::', 'a1', 'a2']);
    assert.equal(fromFile.stdout, 'f1\nf2\nf3\n');
    assert.equal(fromStdin.stdout, 's1\ns2\n');
    assert.equal(fromArgs.stdout, 'a1\na2\n');
  });

  it(
    'prints each job’s output as one block, never interleaved with another job’s',
    { timeout: 20_000 },
    async () => {
      const script =
        'for i in 1 2 3 4; do echo "$1 out $i"; echo "$1 err $i" >&2; sleep 0.02; done';
      const { status, stdout, stderr } = await crew([
        'run',
        '-j',
        '6',
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
        'e',
        'f',
      ]);
      assert.equal(status, 0);
      for (const [text, stream] of [
        [stdout, 'out'],
        [stderr, 'err'],
      ] as const) {
        const got = text.trim().split('\n');
        assert.equal(got.length, 24);
        for (let block = 0; block < 6; block++) {
          const job = got[block * 4]!.split(' ')[0]!;
          assert.deepEqual(
            got.slice(block * 4, block * 4 + 4),
            [1, 2, 3, 4].map((i) => `${job} ${stream} ${i}`),
          );
        }
      }
    },
  );

  it(
    'prints in input order with --keep-order, in finishing order without',
    { timeout: 20_000 },
    async () => {
      // Input k ends only once k jobs are in the job log, so the jobs end in reverse input
      // order: 2 first, then 1, then 0. (The log line and the output are written together.)
      const run = async (keepOrder: boolean): Promise<string> => {
        const log = join(dir, `order-${keepOrder}.jsonl`);
        // Bounded (about 15 s), so a run that is killed mid-test leaves no shell polling forever.
        const script = `n=0; until [ "$(wc -l < ${log})" -ge "$1" ] || [ $n -ge 1500 ]; do n=$((n+1)); sleep 0.01; done; echo "$1"`;
        const flags = keepOrder ? ['-k'] : [];
        const { stdout } = await crew([
          'run',
          ...flags,
          '-j',
          '3',
          '--joblog',
          log,
          '--',
          'sh',
          '-c',
          script,
          'sh',
          ':::',
          '2',
          '1',
          '0',
        ]);
        return stdout;
      };
      assert.equal(await run(true), '2\n1\n0\n');
      assert.equal(await run(false), '0\n1\n2\n');
    },
  );

  it('starts at most --rate jobs per interval', { timeout: 20_000 }, async () => {
    const file = join(dir, 'rate.jsonl');
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const { status } = await crew([
      'run',
      '--rate',
      '2/400ms',
      '-j',
      '7',
      '--results',
      file,
      'true',
      ':::',
      ...inputs,
    ]);
    assert.equal(status, 0);
    const { readFileSync } = await import('node:fs');
    const starts = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => Date.parse((JSON.parse(line) as { start: string }).start))
      .sort((a, b) => a - b);
    // Two starts per 400 ms window: jobs 1-2, then 3-4 once job 1's start has left the window,
    // 5-6, then 7. A job's recorded start comes a little after the limiter let it start, by as
    // long as the code on its path takes; the first time through a path that includes lazily
    // compiling it, tens of ms on a loaded machine (jobs 1-2 start inside the hand-over, 3-4
    // are the first from the limiter's timer). So the gap is measured from job 5 to job 7, both
    // on warm paths. A lower bound only (start times are whole milliseconds: a small allowance).
    assert.ok(starts[6]! - starts[4]! >= 395, `${starts[6]! - starts[4]!} ms`);
    // And the first window held: the third job started well after the first (no limit: ~0 ms).
    assert.ok(starts[2]! - starts[0]! >= 200, `${starts[2]! - starts[0]!} ms`);
  });

  it('runs at most --jobs commands at once', { timeout: 20_000 }, async () => {
    const log = join(dir, 'concurrency.log');
    const script = `echo start >> ${log}; sleep 0.05; echo end >> ${log}`;
    const { status } = await crew([
      'run',
      '-j',
      '2',
      '--',
      'sh',
      '-c',
      script,
      ':::',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    assert.equal(status, 0);
    const { readFileSync } = await import('node:fs');
    let running = 0;
    let most = 0;
    for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
      running += line === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    assert.equal(most, 2);
  });

  it(
    'runs an executable script without a #! line through /bin/sh, as execvp does',
    { timeout: 20_000 },
    async () => {
      const { chmodSync, mkdirSync } = await import('node:fs');
      const bin = join(dir, 'no-shebang-bin');
      mkdirSync(bin);
      const script = join(bin, 'greet');
      writeFileSync(script, 'echo "hello $1 from $0"\n');
      chmodSync(script, 0o755);
      const byPath = await crew(['run', '-k', script, ':::', 'a b']);
      assert.deepEqual(
        { status: byPath.status, stdout: byPath.stdout, stderr: byPath.stderr },
        { status: 0, stdout: `hello a b from ${script}\n`, stderr: '' },
      );
      const onPath = await crew(['run', '-k', 'greet', ':::', 'c'], {
        env: { PATH: `${bin}:${process.env.PATH}` },
      });
      assert.deepEqual(
        { status: onPath.status, stdout: onPath.stdout, stderr: onPath.stderr },
        { status: 0, stdout: `hello c from ${script}\n`, stderr: '' },
      );
    },
  );

  it('prints the command lines with --dry-run and runs nothing', { timeout: 20_000 }, async () => {
    const { status, stdout } = await crew([
      'run',
      '--dry-run',
      '-k',
      'touch',
      '{}.made',
      ':::',
      join(dir, 'dry one'),
      join(dir, 'dry2'),
    ]);
    assert.equal(status, 0);
    assert.equal(stdout, `touch '${join(dir, 'dry one')}.made'\ntouch ${join(dir, 'dry2')}.made\n`);
    assert.equal(existsSync(join(dir, 'dry2.made')), false);
  });

  it(
    'draws the progress line on stderr with --progress, and not by default off a terminal',
    { timeout: 20_000 },
    async () => {
      const shown = await crew(['run', '--progress', 'true', ':::', '1', '2', '3']);
      const hidden = await crew(['run', 'true', ':::', '1', '2', '3']);
      assert.match(shown.stderr, /3\/3 100%/);
      assert.equal(hidden.stderr, '');
    },
  );
});
