// The built `crew/threads`, as a user loads it: ESM and CommonJS, each starting threads
// from dist/ (CI builds before testing; without dist/ this is skipped).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture } from './helpers.js';

const run = promisify(execFile);
const built = existsSync(new URL('../../dist/threads/entry.js', import.meta.url));
const T = { timeout: 30_000 };

async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { timeout: 20_000, killSignal: 'SIGKILL' });
  return stdout.trim();
}

describe('the built crew/threads', { skip: built ? false : 'run `npm run build` first' }, () => {
  it('runs a handler from ESM (`import`), and the process exits by itself', T, async () => {
    const script = `
      import { ThreadPool } from 'crew/threads';
      const pool = new ThreadPool(${JSON.stringify(fixture('double.mjs'))}, { threads: 2 });
      console.log(await pool.run(21));
      await pool.close();`;
    assert.equal(await node(['--input-type=module', '-e', script]), '42');
  });

  it('runs ESM and CommonJS handlers from CommonJS (`require`)', T, async () => {
    const script = `
      const { ThreadPool, transfer } = require('crew/threads');
      (async () => {
        const cjs = new ThreadPool(${JSON.stringify(fixture('double.cjs'))}, { threads: 1 });
        const esm = new ThreadPool(${JSON.stringify(fixture('double.mjs'))}, { threads: 1 });
        console.log(await cjs.run(2), await esm.run(3), typeof transfer);
        await Promise.all([cjs.close(), esm.close()]);
      })();`;
    assert.equal(await node(['-e', script]), '4 6 function');
  });

  it(
    'runs a TypeScript handler without tsx in the main program, when tsx is installed',
    T,
    async () => {
      const script = `
      import { ThreadPool } from 'crew/threads';
      const pool = new ThreadPool(${JSON.stringify(fixture('typed.ts'))}, { threads: 1 });
      console.log(await pool.run({ a: 20, b: 22 }));
      await pool.close();`;
      assert.equal(await node(['--input-type=module', '-e', script]), '42');
    },
  );

  it('fails tasks with the same error classes as the source', T, async () => {
    const script = `
      import { ThreadPool, InvalidModuleError } from 'crew/threads';
      const pool = new ThreadPool(${JSON.stringify(fixture('no-default.mjs'))}, { threads: 1 });
      const error = await pool.run(1).catch((e) => e);
      console.log(error instanceof InvalidModuleError, error.code);
      await pool.close();`;
    assert.equal(await node(['--input-type=module', '-e', script]), 'true CREW_MODULE_INVALID');
  });
});
