#!/usr/bin/env node
// Runs every test under test/ (or the files and folders given) with Node's test runner,
// TypeScript loaded through tsx. Each test has a timeout, so a hang fails fast.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'fixtures' || name === 'node_modules') continue;
      collect(join(path, name), out);
    }
  } else if (/\.test\.(ts|mts|cts|js|mjs|cjs)$/.test(path)) {
    out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const roots = args.filter((a) => !a.startsWith('-'));
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
function run(list, env = {}) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-timeout=60000', ...flags, ...list],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  return result.status ?? 1;
}

let status = run(files);
// `crew run` starts its commands with Python spawners where python3 works, else Perl ones, else
// Node.js ones (src/cli/spawners.ts): a whole run (no paths given) runs the end-to-end tests of
// commands once more on each of the other two.
if (roots.length === 0 && !process.env.CREW_SPAWNER) {
  const again = files.filter((file) =>
    /cli[\\/]run-(command|failures|resume)\.test\.ts$/.test(file),
  );
  for (const spawner of ['perl', 'node']) {
    console.log(`\n# again with CREW_SPAWNER=${spawner}: ${again.join(' ')}`);
    status = Math.max(status, run(again, { CREW_SPAWNER: spawner }));
  }
}
process.exit(status);
