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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=60000', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
