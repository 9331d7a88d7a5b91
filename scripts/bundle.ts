/**
 * Parts of crew bundled from the current source as plain JavaScript, the way tsup builds
 * dist/, into a folder of the caller's. The CLI tests and the benchmarks use them to run
 * crew as a user does, without depending on a possibly stale dist/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const source = (path: string): string => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

/**
 * The `crew` CLI, as tsup builds dist/cli/: `main.mjs` with its spawner, `spawner.mjs`,
 * side by side (crew finds its spawner next to itself). Returns the path of `dir/main.mjs`.
 */
export function bundleCli(dir: string): string {
  buildSync({
    entryPoints: { main: source('cli/main.ts'), spawner: source('cli/spawner.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return join(dir, 'main.mjs');
}

/**
 * `crew/threads`, as tsup builds dist/threads/: `index.js` with the thread's entry,
 * `entry.js`, side by side (a ThreadPool finds its entry next to itself), in an ES module
 * folder. Under tsx, crew's threads would load their entry through tsx's loader, which no
 * user's thread does. Returns the path of `dir/index.js`.
 */
export function bundleThreads(dir: string): string {
  buildSync({
    entryPoints: { index: source('threads/index.ts'), entry: source('threads/entry.ts') },
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return join(dir, 'index.js');
}
