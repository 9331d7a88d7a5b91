/**
 * The `crew` CLI bundled from the current source into `dir` as plain JavaScript, the way
 * tsup builds dist/cli/: `main.mjs` with its spawner, `spawner.mjs`, side by side (crew
 * finds its spawner next to itself). Used by the CLI tests and bench/cli.ts, which run crew
 * as a user does without depending on a possibly stale dist/.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const spawner = fileURLToPath(new URL('../src/cli/spawner.ts', import.meta.url));

/** Bundles the CLI into `dir`; returns the path of its entry, `dir/main.mjs`. */
export function bundleCli(dir: string): string {
  buildSync({
    entryPoints: { main, spawner },
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
