import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { parseRunArgs, type RunArgs } from '../../src/cli/args.js';

function parse(...argv: string[]): RunArgs {
  const args = parseRunArgs(argv);
  assert.notEqual(args, 'help');
  return args as RunArgs;
}

describe('parseRunArgs', () => {
  it('takes the first non-option as the start of the command, so its flags stay its own', () => {
    const args = parse('-j', '3', 'gzip', '-k', '--best', '{}');
    assert.deepEqual(args.command, ['gzip', '-k', '--best', '{}']);
    assert.equal(args.jobs, 3);
  });

  it('takes everything after -- as the command, even what looks like a flag', () => {
    assert.deepEqual(parse('--', '-weird', '{}').command, ['-weird', '{}']);
  });

  it('reads inputs after :::', () => {
    const args = parse('-k', 'echo', ':::', 'a', 'b c', '-j');
    assert.deepEqual(args.command, ['echo']);
    assert.deepEqual(args.inputs, ['a', 'b c', '-j']);
    assert.equal(args.keepOrder, true);
  });

  it('accepts short, long, joined and separate option values', () => {
    const args = parse('-j8', '--retries=2', '--timeout', '500ms', '--rate', '10/s', 'true');
    assert.equal(args.jobs, 8);
    assert.equal(args.retries, 2);
    assert.equal(args.timeout, 500);
    assert.deepEqual(args.rate, { limit: 10, interval: 1000 });
  });

  it('defaults to one job per core, no retries, no timeout, no rate limit', () => {
    const args = parse('true');
    assert.equal(args.jobs, availableParallelism());
    assert.equal(args.retries, 0);
    assert.equal(args.retryDelay, 0);
    assert.equal(args.timeout, undefined);
    assert.equal(args.rate, undefined);
    assert.equal(args.halt, undefined);
    assert.equal(args.progress, undefined);
  });

  it('reads a module handler with threads and JSON inputs', () => {
    const args = parse('--module', 'h.ts', '--threads', '2', '--json', ':::', '{"a":1}');
    assert.equal(args.module, 'h.ts');
    assert.equal(args.command, undefined);
    assert.equal(args.threads, 2);
    assert.equal(args.json, true);
  });

  it('returns help for -h and --help', () => {
    assert.equal(parseRunArgs(['--help']), 'help');
    assert.equal(parseRunArgs(['-h', 'echo']), 'help');
  });

  it('reads CREW_SPAWNER from the environment: auto when unset or empty, else python, perl, node or auto', () => {
    const spawner = (env: Record<string, string>) =>
      (parseRunArgs(['true'], env) as RunArgs).spawner;
    assert.equal(spawner({}), 'auto');
    assert.equal(spawner({ CREW_SPAWNER: '' }), 'auto');
    assert.equal(spawner({ CREW_SPAWNER: 'python' }), 'python');
    assert.equal(spawner({ CREW_SPAWNER: 'perl' }), 'perl');
    assert.equal(spawner({ CREW_SPAWNER: 'node' }), 'node');
    assert.equal(spawner({ CREW_SPAWNER: 'auto' }), 'auto');
    assert.throws(() => parseRunArgs(['true'], { CREW_SPAWNER: 'Perl' }), {
      code: 'CREW_CLI_USAGE',
    });
  });

  it('--quiet turns the progress line off even with --progress', () => {
    assert.equal(parse('--progress', '-q', 'true').progress, false);
  });

  it('rejects bad usage with CREW_CLI_USAGE', () => {
    const bad: string[][] = [
      ['--nope', 'true'],
      ['-j', '0', 'true'],
      ['-j', 'many', 'true'],
      ['--retries', '-1', 'true'],
      ['--timeout', '5x', 'true'],
      ['--rate', 'fast', 'true'],
      ['--halt', 'sometimes', 'true'],
      [],
      ['--module', 'h.ts', 'echo'],
      ['--threads', '2', 'echo'],
      ['--json', 'echo'],
      ['--resume', 'echo'],
      ['--input', 'f', 'echo', ':::', 'a'],
      ['echo', ':::', 'a', ':::', 'b'],
    ];
    for (const argv of bad) {
      assert.throws(() => parseRunArgs(argv), { code: 'CREW_CLI_USAGE' }, argv.join(' '));
    }
  });
});
