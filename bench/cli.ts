/**
 * `crew run` against GNU parallel and `xargs -P`: 1,000 runs of `true` (pure per-job
 * overhead: spawning and reaping) and of `sleep 0.01` (overhead overlapped with waiting), 8
 * at a time. Every implementation is one whole command, timed from start to exit, with the
 * 1,000 inputs on its stdin and its output thrown away; one op is one job.
 *
 * - `crew run` is the CLI bundled to plain JavaScript, as a user runs it: grouped output (each
 *   job's stdout and stderr captured in temp files), and with `-u` (output passed straight
 *   through, as xargs does). Its commands are started by Python spawners (the default where
 *   python3 is installed), and, in two more lines, by Perl spawners (`CREW_SPAWNER=perl`) and
 *   Node.js spawners (`CREW_SPAWNER=node`).
 * - GNU parallel with its defaults (grouped output); skipped, with a note, when not installed.
 * - `xargs -P 8 -n 1`: no grouping, no records; the floor for a runner that forks per job.
 * - `node spawn loop`: the least a Node.js program can do for the same work — read the
 *   inputs, `spawn()` each command (a process group, output piped and dropped), 8 at a
 *   time, nothing else. The distance from it to `crew run` is crew's own cost; the distance
 *   from it to xargs is Node's.
 *
 * On Linux, Node.js and Perl start a command with fork(2), which write-protects the parent's
 * memory and copies each page either side then writes (on a VM, each such fault costs a TLB
 * shootdown across cores); that is most of a fork-based spawner's per-job cost, and why crew
 * prefers a Python one, which uses posix_spawn (vfork semantics: nothing is copied).
 *
 * Run alone: node --import tsx bench/cli.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleCli } from '../scripts/bundle.js';
import { compare, report } from './harness.js';

const JOBS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'crew-bench-cli-'));

// The CLI as a user runs it: plain JavaScript, bundled from the current source by esbuild (as
// tsup does for dist/), into a private folder, so that a concurrent rebuild of dist/ cannot
// pull files from under a run.
const cli = bundleCli(dir);

const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasParallel) {
  console.error(
    'bench/cli.ts: GNU parallel is not installed (apt-get install parallel); skipping it',
  );
}

const inputs = join(dir, 'inputs.txt');
// Every input is `0.01`, appended to the command: `sleep 0.01`, and `true 0.01`.
writeFileSync(inputs, '0.01\n'.repeat(JOBS));

/** The floor: a bare Node.js loop that spawns each job as crew does, with no pool and no records. */
const SPAWN_LOOP = `
const { spawn } = require('node:child_process');
const program = process.argv[1];
const inputs = require('node:fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
let next = 0;
function start() {
  if (next >= inputs.length) return;
  const child = spawn(program, [inputs[next++]], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', () => {});
  child.stderr.on('data', () => {});
  child.on('close', start);
}
for (let i = 0; i < 8; i++) start();
`;

/** Runs one whole command with the inputs on stdin; returns jobs per second. */
function timed(
  program: string,
  args: string[],
  env: Record<string, string> = {},
): () => Promise<number> {
  return () =>
    new Promise((resolve, reject) => {
      const stdin = openSync(inputs, 'r');
      const start = process.hrtime.bigint();
      const child = spawn(program, args, {
        stdio: [stdin, 'ignore', 'pipe'],
        env: { ...process.env, ...env },
      });
      closeSync(stdin);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.on('error', reject);
      child.on('close', (status) => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        if (status === 0) resolve(JOBS / seconds);
        else reject(new Error(`${program} ${args.join(' ')} exited with ${status}: ${stderr}`));
      });
    });
}

try {
  for (const [name, program] of [
    ['1,000 × true, -j 8', 'true'],
    ['1,000 × sleep 0.01, -j 8', 'sleep'],
  ] as const) {
    const argv = [program];
    const impls: Record<string, () => Promise<number>> = {
      'crew run': timed(process.execPath, [cli, 'run', '-j', '8', '--', ...argv]),
      'crew run -u': timed(process.execPath, [cli, 'run', '-u', '-j', '8', '--', ...argv]),
      'crew run, Perl spawners': timed(process.execPath, [cli, 'run', '-j', '8', '--', ...argv], {
        CREW_SPAWNER: 'perl',
      }),
      'crew run, Node.js spawners': timed(
        process.execPath,
        [cli, 'run', '-j', '8', '--', ...argv],
        { CREW_SPAWNER: 'node' },
      ),
      xargs: timed('xargs', ['-P', '8', '-n', '1', ...argv]),
      'node spawn loop': timed(process.execPath, ['-e', SPAWN_LOOP, program]),
    };
    if (hasParallel) impls['GNU parallel'] = timed('parallel', ['-j', '8', ...argv]);
    await compare('cli', name, impls, { rounds: 3, warmup: 0 });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
report('crew run vs GNU parallel and xargs');
