// examples/seed-pool.ts and examples/http-fetch.ts run and print what they should.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

async function example(file: string): Promise<string[]> {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    timeout: 25_000,
  });
  assert.equal(stderr, '');
  return stdout.trimEnd().split('\n');
}

describe('Pool examples', () => {
  it(
    'seed-pool processes every job once, prints each result, then "All jobs processed."',
    { timeout: 30_000 },
    async () => {
      const lines = await example('examples/seed-pool.ts');
      assert.equal(lines.at(-1), 'All jobs processed.');
      const processed: number[] = [];
      const results = new Map<number, string>();
      for (const line of lines.slice(0, -1)) {
        let m = /^Processing job (\d+): payload-(\d+)$/.exec(line);
        if (m) {
          assert.equal(m[1], m[2]);
          processed.push(Number(m[1]));
          continue;
        }
        m = /^Result: Job (\d+) \| (SUCCESS|FAILED) \| Job (\d+) completed$/.exec(line);
        assert.ok(m, `unexpected line: ${line}`);
        assert.equal(m[1], m[3]);
        results.set(Number(m[1]), m[2]!);
      }
      assert.deepEqual(
        processed.sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(results.size, 10);
      for (const [id, status] of results) assert.equal(status, id % 2 === 0 ? 'SUCCESS' : 'FAILED');
    },
  );

  it(
    'http-fetch keeps to its rate limit, retries 503s and timeouts, fails the 404 without retrying, and exits',
    { timeout: 30_000 },
    async () => {
      const lines = await example('examples/http-fetch.ts');
      const span = /^shortest span of 11 request starts: (\d+) ms$/.exec(lines.pop() ?? '');
      assert.ok(span, 'the last line tells the shortest span of 11 starts');
      // 10 starts per 100 ms; 1 ms allowed for the clock and the pool's way to the handler.
      assert.ok(Number(span[1]) >= 99, `11 requests started within ${span[1]} ms`);
      assert.deepEqual(lines, [
        'fetched 29 of 30',
        'retried after 503: 6', // items 5, 10, …, 30
        'retried after timeout: 3', // items 3, 17, 24 (10's first request is a 503 instead)
        'failed: /items/13: HTTP 404',
        'requests started: 39', // 30 + 6 + 3
      ]);
    },
  );
});
