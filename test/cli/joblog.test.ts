import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JobRecord } from '../../src/cli/job-record.js';
import { Joblog } from '../../src/cli/joblog.js';

const dir = mkdtempSync(join(tmpdir(), 'crew-joblog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function job(seq: number, input: string): JobRecord {
  const record = new JobRecord(seq, input);
  record.start = 1_000;
  record.end = 1_250;
  record.attempts = 1;
  record.exitCode = 0;
  return record;
}

describe('Joblog', () => {
  it('writes one JSON line per job and reads back the ones that succeeded', () => {
    const path = join(dir, 'a.jsonl');
    const log = new Joblog(path, false);
    log.record(job(1, 'a'), true);
    log.record(job(2, 'b'), false);
    log.record(job(3, 'c\nd'), true);
    log.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    assert.deepEqual(JSON.parse(lines[0]!), {
      seq: 1,
      input: 'a',
      ok: true,
      exitCode: 0,
      signal: null,
      attempts: 1,
      start: new Date(1000).toISOString(),
      duration: 250,
    });
    assert.deepEqual(Joblog.succeeded(path), new Set([Joblog.key(1, 'a'), Joblog.key(3, 'c\nd')]));
  });

  it('keys on position and input together', () => {
    const path = join(dir, 'b.jsonl');
    const log = new Joblog(path, false);
    log.record(job(1, 'a'), true);
    log.close();
    const done = Joblog.succeeded(path);
    assert.ok(done.has(Joblog.key(1, 'a')));
    assert.ok(!done.has(Joblog.key(2, 'a')));
    assert.ok(!done.has(Joblog.key(1, 'b')));
  });

  it('ignores a torn last line and a missing file', () => {
    const path = join(dir, 'c.jsonl');
    const log = new Joblog(path, false);
    log.record(job(1, 'a'), true);
    log.close();
    appendFileSync(path, '{"seq":2,"input":"b","ok":tr');
    assert.deepEqual(Joblog.succeeded(path), new Set([Joblog.key(1, 'a')]));
    assert.equal(Joblog.succeeded(join(dir, 'missing.jsonl')).size, 0);
  });

  it('appends when resuming and truncates otherwise', () => {
    const path = join(dir, 'd.jsonl');
    for (const resume of [false, true]) {
      const log = new Joblog(path, resume);
      log.record(job(1, 'a'), true);
      log.close();
    }
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2);
    new Joblog(path, false).close();
    assert.equal(readFileSync(path, 'utf8'), '');
  });

  it('a log that cannot be opened is bad usage', () => {
    assert.throws(() => new Joblog(join(dir, 'no', 'such', 'dir.jsonl'), false), {
      code: 'CREW_CLI_USAGE',
    });
  });
});
