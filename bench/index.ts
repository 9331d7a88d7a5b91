/**
 * `npm run bench`: runs every benchmark file in bench/ in its own process, one after
 * another (so they do not compete for this machine's two cores), and prints one table.
 * Pass file names to run only those: `npm run bench -- channel pool`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, type Row } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'harness.ts')
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const all: Row[] = [];
let failed = false;
for (const file of files) {
  console.error(`running bench/${file} ...`);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    env: { ...process.env, CREW_BENCH_JSON: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const marker = child.stdout.lastIndexOf('@@ROWS@@');
  if (child.status !== 0 || marker < 0) {
    console.error(`bench/${file} failed (exit ${child.status})\n${child.stdout}`);
    failed = true;
    continue;
  }
  all.push(...(JSON.parse(child.stdout.slice(marker + 8)) as Row[]));
}
console.log(formatTable(all));
process.exitCode = failed ? 1 : 0;
