// The README's quick start runs `crew run` on the repository's own files; this runs that very
// command line (from a bundle of the source instead of the build, with its results file in a
// temp folder).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bundled, lines, root } from './helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section =
  /<!-- section:quickstart -->([\s\S]*?)<!-- \/section:quickstart -->/.exec(readme)?.[1] ?? '';
const command = section.split('\n').find((line) => line.includes('npx crew run'));
const git = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' });
const files = git.status === 0 ? git.stdout.split('\n').filter((f) => f.length > 0) : [];

describe('the README quick start', () => {
  it('has a crew run command line', () => {
    assert.ok(command, 'a line with `npx crew run` in the quickstart section');
  });

  it(
    'runs that command on the repository’s own files',
    { timeout: 60_000, skip: files.length > 0 ? false : 'not a git checkout' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'crew-quickstart-'));
      after(() => rmSync(dir, { recursive: true, force: true }));
      const line = command!
        .replace('npx crew', `${JSON.stringify(process.execPath)} ${JSON.stringify(bundled())}`)
        .replace(/\/tmp\/crew-results\.jsonl/, join(dir, 'results.jsonl'));
      assert.notEqual(line, command);
      const { stdout } = await promisify(execFile)('sh', ['-c', line], {
        cwd: root,
        maxBuffer: 1 << 26,
      });
      const results = lines(join(dir, 'results.jsonl')).map(
        (l) => JSON.parse(l) as { ok: boolean; input: string },
      );
      assert.equal(results.length, files.length);
      assert.ok(results.every((r) => r.ok));
      assert.equal(stdout.trim().split('\n').length, files.length);
    },
  );
});
