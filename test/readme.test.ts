// Every runnable TypeScript snippet in README.md runs, so the README never rots.
// A block fenced as ```ts runs as a script (importing from 'crew', as a user would);
// a block fenced as ```ts nocheck is a fragment and is skipped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = join(root, 'test', '.readme-snippets');

interface Snippet {
  line: number;
  code: string;
}

function snippets(markdown: string): Snippet[] {
  const found: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const info = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!info) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const lang = info[1]!;
    if ((lang === 'ts' || lang === 'typescript') && !info[2]!.includes('nocheck')) {
      found.push({ line: start + 1, code: body.join('\n') });
    }
  }
  return found;
}

describe('README.md', () => {
  const blocks = snippets(readFileSync(join(root, 'README.md'), 'utf8'));
  mkdirSync(scratch, { recursive: true });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('has runnable snippets', () => {
    assert.ok(blocks.length > 0);
  });

  for (const block of blocks) {
    it(`the snippet at line ${block.line} runs`, { timeout: 30_000 }, async () => {
      const file = join(scratch, `line-${block.line}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      const { stderr } = await run(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        timeout: 25_000,
      });
      assert.doesNotMatch(stderr, /Error|Warning/);
    });
  }
});
