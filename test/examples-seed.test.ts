// examples/seed.ts, the Go article's program on crew's primitives, runs and prints what
// the Go program prints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples/seed.ts', () => {
  it(
    'processes every job once, prints each result, then "All jobs processed.", and its context variant shuts every worker down',
    { timeout: 30_000 },
    async () => {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', 'examples/seed.ts'],
        {
          cwd: root,
          timeout: 25_000,
        },
      );
      assert.equal(stderr, '');
      const [plain, withContext] = stdout.split('--- with context cancellation ---\n');
      assert.ok(plain !== undefined && withContext !== undefined, stdout);

      const lines = plain.trimEnd().split('\n');
      assert.equal(lines.at(-1), 'All jobs processed.');
      const processed = new Map<number, number>();
      const results = new Map<number, string>();
      for (const line of lines.slice(0, -1)) {
        let m = /^Worker ([123]) processing job (\d+): payload-(\d+)$/.exec(line);
        if (m) {
          assert.equal(m[2], m[3]);
          processed.set(Number(m[2]), (processed.get(Number(m[2])) ?? 0) + 1);
          continue;
        }
        m = /^Result: Job (\d+) \| (SUCCESS|FAILED) \| Job (\d+) completed$/.exec(line);
        assert.ok(m, `unexpected line: ${line}`);
        assert.equal(m[1], m[3]);
        assert.ok(!results.has(Number(m[1])), `result ${m[1]} printed twice`);
        results.set(Number(m[1]), m[2]!);
      }
      const ids = Array.from({ length: 10 }, (_, i) => i + 1);
      assert.deepEqual(
        [...processed.keys()].sort((a, b) => a - b),
        ids,
      );
      assert.ok([...processed.values()].every((n) => n === 1));
      assert.deepEqual(
        [...results.keys()].sort((a, b) => a - b),
        ids,
      );
      for (const [id, status] of results) assert.equal(status, id % 2 === 0 ? 'SUCCESS' : 'FAILED');

      const ctxLines = withContext.trimEnd().split('\n');
      const shutDown = ctxLines.filter((l) => /^Worker \d shutting down\.\.\.$/.test(l)).sort();
      assert.deepEqual(
        shutDown,
        [1, 2, 3].map((i) => `Worker ${i} shutting down...`),
      );
      const ctxResults = ctxLines.filter((l) => l.startsWith('Result: '));
      assert.ok(ctxResults.length >= 5 && ctxResults.length <= 10, withContext);
      const last = /^Cancelled after (\d+) results; unprocessed jobs left: (\d+)\.$/.exec(
        ctxLines.at(-1)!,
      );
      assert.ok(last, withContext);
      assert.equal(Number(last[1]), ctxResults.length);
      assert.equal(Number(last[1]) + Number(last[2]), 10);
    },
  );
});
