import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerContext } from '../index.js';
import { UsageError } from './usage-error.js';

/** A module handler: the default export of the `--module` file. */
export type ModuleHandler = (job: unknown, ctx: HandlerContext) => unknown;

/**
 * Registers tsx's loader so that `import()` can load TypeScript, when tsx can be resolved
 * (from the module's folder, then from crew's). Returns whether it could.
 */
async function registerTsx(moduleFile: string): Promise<boolean> {
  for (const root of [moduleFile, import.meta.url]) {
    try {
      const api = tsxEsmApi(createRequire(root).resolve('tsx/package.json'));
      const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
      register();
      return true;
    } catch {
      // Not resolvable from here; try the next root.
    }
  }
  return false;
}

/**
 * The ESM build of `tsx/esm/api`, found through tsx's `exports` map. `require.resolve` would
 * pick its CommonJS build, whose `register()` fails when called from an ES module.
 */
function tsxEsmApi(packageJson: string): string {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports?: Record<string, { import?: string | { default?: string } } | undefined>;
  };
  const target = pkg.exports?.['./esm/api']?.import;
  const relative =
    typeof target === 'string' ? target : (target?.default ?? './dist/esm/api/index.mjs');
  return join(dirname(packageJson), relative);
}

async function importModule(file: string, path: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as { default?: unknown };
  } catch (error) {
    // Plain Node.js 20 cannot load TypeScript; under tsx, or on Node.js ≥ 22.6, the first try works.
    const unknownExtension = (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION';
    if (!unknownExtension || !/\.[cm]?tsx?$/.test(path)) throw error;
    if (!(await registerTsx(path))) {
      throw new UsageError(
        `Cannot load the TypeScript module ${file}: install tsx (npm i -D tsx) or use Node.js ≥ 22.6`,
      );
    }
    // A new URL: the loader remembers the failed attempt under the old one.
    return (await import(`${url}?tsx`)) as { default?: unknown };
  }
}

/** The absolute path of `file`, which must exist; a usage error otherwise. */
export function locateModule(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`Cannot find the module ${file} (--module)`);
  return path;
}

/**
 * Loads the `--module` file and returns its default export, which must be a function. Any
 * failure (a missing file, a syntax error, no default export, TypeScript without a loader) is
 * a `UsageError`, reported before any job starts.
 */
export async function loadModuleHandler(file: string): Promise<ModuleHandler> {
  const path = locateModule(file);
  let loaded: { default?: unknown };
  try {
    loaded = await importModule(file, path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot load the module ${file}: ${(error as Error).message}`);
  }
  // A CommonJS module's `module.exports = fn` arrives as `default`; so does ESM's `export default`.
  let handler = loaded.default;
  if (
    typeof handler === 'object' &&
    handler !== null &&
    typeof (handler as { default?: unknown }).default === 'function'
  ) {
    handler = (handler as { default: unknown }).default;
  }
  if (typeof handler !== 'function') {
    throw new UsageError(
      `The module ${file} has no default export function; export one: export default async function (job) { … }`,
    );
  }
  return handler as ModuleHandler;
}
