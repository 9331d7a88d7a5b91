// examples/hash-files.ts hashes every file under a folder on threads and reports progress.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const T = { timeout: 40_000 };

async function example(...args: string[]): Promise<string[]> {
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', 'examples/hash-files.ts', ...args],
    { cwd: root, timeout: 30_000, killSignal: 'SIGKILL' },
  );
  assert.equal(stderr, '');
  return stdout.trimEnd().split('\n');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('examples/hash-files.ts', () => {
  it('prints the sha256 of every file under the folder, progress, and a summary', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crew-hash-'));
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 25; i++) {
        const name = join(i % 2 ? 'odd' : 'even', `file-${String(i).padStart(2, '0')}.txt`);
        files[name] = `contents of file ${i}\n`.repeat(i + 1);
        mkdirSync(join(dir, i % 2 ? 'odd' : 'even'), { recursive: true });
        writeFileSync(join(dir, name), files[name]);
      }
      const lines = await example(dir);
      const hashes = lines.filter((l) => /^[0-9a-f]{64} {2}/.test(l));
      assert.deepEqual(
        hashes,
        Object.keys(files)
          .sort()
          .map((name) => `${sha256(files[name]!)}  ${name}`),
      );
      assert.deepEqual(
        lines.filter((l) => l.startsWith('progress:')),
        ['progress: 10 files', 'progress: 20 files'],
      );
      const bytes = Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0);
      assert.match(
        lines.at(-1)!,
        new RegExp(`^hashed 25 files \\(${bytes} bytes\\) in \\d+ ms, 0 failed$`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hashes this repository's src/ by default", T, async () => {
    const count = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true }).filter(
      (entry) => entry.isFile(),
    ).length;
    const lines = await example();
    assert.match(
      lines.at(-1)!,
      new RegExp(`^hashed ${count} files \\(\\d+ bytes\\) in \\d+ ms, 0 failed$`),
    );
  });
});
