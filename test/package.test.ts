// The built package, as a user imports it: ESM and CommonJS, by its own name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const built = existsSync(new URL('../dist/index.js', import.meta.url));

describe('the built package', { skip: built ? false : 'run `npm run build` first' }, () => {
  it('imports by name from ESM', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import * as crew from 'crew'; console.log(Object.keys(crew).sort().join(','))",
      ],
      { encoding: 'utf8' },
    );
    assert.match(out, /CrewError/);
  });

  it('requires by name from CommonJS with the same exports', () => {
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import * as crew from 'crew'; console.log(Object.keys(crew).sort().join(','))",
      ],
      { encoding: 'utf8' },
    );
    const cjs = execFileSync(
      process.execPath,
      ['-e', "console.log(Object.keys(require('crew')).sort().join(','))"],
      { encoding: 'utf8' },
    );
    assert.equal(cjs, esm.replace('default,', ''));
  });

  it("lets the ESM and CommonJS copies loaded in one process work on each other's channels and errors", () => {
    // One dependency imports crew, another requires it: two copies of every class. A
    // channel made by one copy must still work with the other's select and Pool.process.
    const script = `
      import { createRequire } from 'node:module';
      import * as esm from 'crew';
      const cjs = createRequire(import.meta.url)('crew');
      const out = {};
      const a = new esm.Channel(1);
      await a.send('ready');
      out.ready = await cjs.select({ a: a.onReceive() });
      const waiting = cjs.select({ a: a.onReceive(), late: cjs.after(10_000) });
      await a.send('woken');
      out.woken = await waiting;
      const b = new cjs.Channel();
      const sending = esm.select({ b: b.onSend('sent'), late: esm.after(10_000) });
      out.received = await b.receive();
      out.sent = await sending;
      const pool = new cjs.Pool((x) => x * 2, { concurrency: 2 });
      const jobs = new esm.Channel();
      const results = pool.process(jobs);
      void (async () => {
        for (const job of [1, 2, 3]) await jobs.send(job);
        jobs.close();
      })();
      out.doubled = [];
      for await (const r of results) out.doubled.push(r.value);
      out.doubled.sort();
      await pool.close();
      const refused = await pool.run(1).catch((error) => error);
      out.errors = [
        refused instanceof esm.PoolClosedError,
        refused instanceof esm.CrewError,
        refused instanceof esm.ChannelClosedError,
        new esm.ChannelClosedError() instanceof cjs.ChannelClosedError,
      ];
      console.log(JSON.stringify(out));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.deepEqual(JSON.parse(out), {
      ready: { case: 'a', value: 'ready', ok: true },
      woken: { case: 'a', value: 'woken', ok: true },
      received: { value: 'sent', ok: true },
      sent: { case: 'b' },
      doubled: [2, 4, 6],
      errors: [true, true, false, true],
    });
  });
});
