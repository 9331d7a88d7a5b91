// Every @example in the primitives' doc comments runs, as a user would run it (importing
// from 'crew'), so the examples never rot.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = join(root, 'test', '.primitives-doc-examples');
const files = ['channel', 'select', 'wait-group', 'group', 'semaphore'];
const prelude =
  "import { after, Channel, Group, select, Semaphore, trySelect, WaitGroup } from 'crew';\n" +
  'void [after, Channel, Group, select, Semaphore, trySelect, WaitGroup];\n';

function examples(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    found.push(
      m[1]!
        .split('\n')
        .map((line) => line.replace(/^\s*\* ?/, ''))
        .join('\n'),
    );
  }
  return found;
}

describe('doc comment examples of the primitives', () => {
  mkdirSync(scratch, { recursive: true });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const file of files) {
    const blocks = examples(readFileSync(join(root, 'src', `${file}.ts`), 'utf8'));
    it(`src/${file}.ts has an example, and it runs`, { timeout: 30_000 }, async () => {
      assert.ok(blocks.length > 0);
      for (const [i, block] of blocks.entries()) {
        const path = join(scratch, `${file}-${i}.ts`);
        writeFileSync(path, `${prelude}${block}\nexport {};\n`);
        const { stderr } = await run(process.execPath, ['--import', 'tsx', path], {
          cwd: root,
          timeout: 25_000,
        });
        assert.equal(stderr, '');
      }
    });
  }
});
