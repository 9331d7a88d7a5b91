// End to end: `crew run --module` in-process and on threads, and the built `crew` bin.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crew, fixtures, jsonLines, root } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crew-module-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const handler = join(fixtures, 'handler.ts');

interface ModuleResult {
  seq: number;
  input: string;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string };
  attempts: number;
}

function results(file: string): ModuleResult[] {
  return jsonLines<ModuleResult>(file).sort((a, b) => a.seq - b.seq);
}

// Each test has its own files and its own crew process, so they run side by side.
describe('crew run --module', { concurrency: 4 }, () => {
  it(
    'hands each input line to the default export and prints what it returns',
    { timeout: 20_000 },
    async () => {
      const file = join(dir, 'lines.jsonl');
      const { status, stdout, stderr } = await crew([
        'run',
        '--module',
        handler,
        '-k',
        '--results',
        file,
        ':::',
        'a',
        'boom',
        'ünï',
      ]);
      assert.equal(status, 1);
      assert.equal(stdout, 'A\nÜNÏ\n');
      assert.match(stderr, /RangeError/);
      const [a, boom] = results(file);
      assert.deepEqual(
        { ...a, start: undefined, duration: undefined },
        {
          seq: 1,
          input: 'a',
          ok: true,
          value: 'A',
          attempts: 1,
          start: undefined,
          duration: undefined,
        },
      );
      assert.equal(boom!.ok, false);
      assert.equal(boom!.error?.name, 'RangeError');
    },
  );

  it(
    'parses each input as JSON with --json, and a malformed line fails only its job',
    { timeout: 20_000 },
    async () => {
      const { status, stdout } = await crew(['run', '--module', handler, '--json', '-k'], {
        stdin: '{"n":1}\n{"n":2}\nnot json\n{"n":21}\n',
      });
      assert.equal(status, 1);
      assert.deepEqual(
        stdout
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as { doubled: number }).doubled),
        [2, 4, 42],
      );
    },
  );

  it('retries a failing handler', { timeout: 20_000 }, async () => {
    const file = join(dir, 'retries.jsonl');
    const { status } = await crew([
      'run',
      '--module',
      handler,
      '--retries',
      '2',
      '--results',
      file,
      ':::',
      'boom',
    ]);
    assert.equal(status, 1);
    assert.equal(results(file)[0]!.attempts, 3);
  });

  it('runs the handler on worker threads with --threads', { timeout: 30_000 }, async () => {
    const { status, stdout } = await crew(
      ['run', '--module', handler, '--threads', '2', '--json', '-k'],
      {
        stdin: Array.from({ length: 8 }, (_, n) => JSON.stringify({ n })).join('\n'),
        tsx: true,
      },
    );
    assert.equal(status, 0);
    const values = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { doubled: number; thread: number });
    assert.deepEqual(
      values.map((v) => v.doubled),
      [0, 2, 4, 6, 8, 10, 12, 14],
    );
    assert.ok(
      values.every((v) => v.thread > 0),
      'every job ran off the main thread',
    );
  });
});

const built = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe(
  'the built crew bin',
  { skip: existsSync(built) ? false : 'run `npm run build` first' },
  () => {
    const run = promisify(execFile);

    it(
      'runs commands as plain JavaScript, with no TypeScript loader',
      { timeout: 20_000 },
      async () => {
        const { stdout } = await run(built, ['run', '-k', 'echo', '{#}', '{}', ':::', 'a', 'b'], {
          cwd: dir,
        });
        assert.equal(stdout, '1 a\n2 b\n');
      },
    );

    it('loads a TypeScript module handler by registering tsx', { timeout: 20_000 }, async () => {
      const { stdout } = await run(
        process.execPath,
        [built, 'run', '--module', handler, ':::', 'x'],
        { cwd: root },
      );
      assert.equal(stdout, 'X\n');
    });

    it('runs a TypeScript module on worker threads', { timeout: 30_000 }, async () => {
      const { stdout } = await run(
        process.execPath,
        [
          built,
          'run',
          '--module',
          handler,
          '--threads',
          '2',
          '--json',
          '-k',
          ':::',
          '{"n":1}',
          '{"n":2}',
        ],
        { cwd: dir },
      );
      const values = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { doubled: number; thread: number });
      assert.deepEqual(
        values.map((v) => v.doubled),
        [2, 4],
      );
      assert.ok(values.every((v) => v.thread > 0));
    });

    it('prints its version', { timeout: 20_000 }, async () => {
      const { stdout } = await run(process.execPath, [built, '--version']);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        version: string;
      };
      assert.equal(stdout.trim(), pkg.version);
    });
  },
);
