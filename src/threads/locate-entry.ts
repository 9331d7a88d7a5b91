/**
 * Where a thread starts. Three layouts must work:
 * - the ESM build: this code is in `dist/threads/index.js` or a shared chunk `dist/*.js`,
 *   the entry is `dist/threads/entry.js`;
 * - the CommonJS build: the same with `.cjs` (tsup's shim gives `import.meta.url`); the
 *   thread still starts the ESM entry, whose dynamic `import()` loads any handler module;
 * - the source under tsx (tests, examples): the entry is `src/threads/entry.ts`, which a
 *   new thread cannot load by itself, because Node does not run `--import` preloads in
 *   threads. So the thread starts from a small bootstrap that registers tsx, then imports
 *   the entry.
 *
 * TypeScript handler modules: when the module's extension is TypeScript, tsx's loader is
 * registered in the thread first (resolved from the module's folder, then from the
 * working directory). Without tsx installed, the import is attempted as is (Node's own
 * type stripping, where the Node version has it).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface EntryLocation {
  entry: URL | string;
  eval: boolean;
  /** Modules the thread imports (and `register()`s) before the handler module. */
  preload: string[];
}

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

let cached: { url: URL; typescript: boolean } | undefined;

function findEntry(): { url: URL; typescript: boolean } {
  if (cached !== undefined) return cached;
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    cached = { url: new URL('./entry.ts', here), typescript: true };
    return cached;
  }
  for (const candidate of ['./entry.js', './threads/entry.js', '../threads/entry.js']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) {
      cached = { url, typescript: false };
      return cached;
    }
  }
  throw new Error(`crew: cannot find the thread entry next to ${here}`);
}

/** tsx's registration API, resolved from `base` (a file URL), or undefined. */
function resolveTsx(bases: string[]): string | undefined {
  for (const base of bases) {
    try {
      const path = createRequire(base).resolve('tsx/esm/api');
      // `require` resolves the CommonJS build, which cannot be imported; prefer its ESM twin.
      const esm = path.replace(/\.cjs$/, '.mjs');
      return pathToFileURL(existsSync(esm) ? esm : path).href;
    } catch {
      // Not installed there; try the next place.
    }
  }
  return undefined;
}

/** How to start a thread for the handler module at `moduleUrl`. */
export function locateEntry(moduleUrl: string): EntryLocation {
  const { url, typescript } = findEntry();
  const needsTsx = typescript || TYPESCRIPT.test(new URL(moduleUrl).pathname);
  const tsx = needsTsx
    ? resolveTsx([
        ...(moduleUrl.startsWith('file:') ? [moduleUrl] : []),
        pathToFileURL(`${process.cwd()}/`).href,
        import.meta.url,
      ])
    : undefined;
  const preload = tsx === undefined ? [] : [tsx];
  if (!typescript) return { entry: url, eval: false, preload };
  // The entry itself is TypeScript: a plain-JS bootstrap registers tsx, then loads it.
  const bootstrap = [
    "const { workerData } = require('node:worker_threads');",
    '(async () => {',
    '  for (const url of workerData.preload) {',
    '    const mod = await import(url);',
    '    const register = mod.register ?? mod.default?.register;',
    "    if (typeof register === 'function') register();",
    '  }',
    '  workerData.preload = [];',
    `  await import(${JSON.stringify(url.href)});`,
    '})();',
  ].join('\n');
  return { entry: bootstrap, eval: true, preload };
}

/**
 * The Node options a thread starts with: `undefined` (inherit the process's own) unless
 * one of them only makes sense for the main program: `--input-type` applies to `--eval`
 * input and stops a thread from starting at all. (An explicit list must not name
 * process-wide flags such as `--expose-gc`; `Thread` drops those if Node refuses them.)
 */
export function threadExecArgv(execArgv: readonly string[]): string[] | undefined {
  if (!execArgv.some((arg) => arg.startsWith('--input-type'))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}
