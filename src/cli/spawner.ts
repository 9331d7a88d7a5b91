/**
 * A spawner: the small helper process that starts `crew run`'s commands for it. This is the
 * Node.js one; where python3 or perl works, crew uses a Python or a Perl one instead
 * (python-spawner.ts, perl-spawner.ts: the same protocol and guarantees, starting commands in a
 * fraction of the time). It lives in
 * its own file because it runs as its own process (`node spawner.js '<config JSON>'`, the
 * socket to crew on fd 3, crew's stdout and stderr as its own).
 *
 * Why: on Linux, Node.js starts a child with fork(2), whose cost grows with the parent's
 * memory, and it blocks the parent's event loop while the child is set up. A spawner is far
 * smaller than crew, and crew starts two per core, so the forks run side by side on every
 * core instead of one after another in crew.
 *
 * Each job runs exactly as crew would run it itself (`runCommand`: no shell, its own process
 * group, output captured or passed through). crew's socket closing, whatever the cause (crew
 * exited, crashed or was SIGKILLed), means nobody is left to wait for the jobs: the spawner
 * SIGKILLs every running job's process group and exits, so no job outlives crew.
 */
import { Socket } from 'node:net';
import { runCommand } from './command.js';
import { ProcessGroups } from './process-groups.js';
import {
  FrameReader,
  KILL_ALL,
  RUN,
  STOP,
  decodeArgv,
  decodeRequest,
  encodeDone,
  type SpawnerConfig,
} from './spawner-protocol.js';

const config = JSON.parse(process.argv[2]!) as SpawnerConfig;
const groups = new ProcessGroups();
/** The running jobs by id: what aborting does is stop the job's whole group. */
const running = new Map<number, AbortController>();
const socket = new Socket({ fd: 3, readable: true, writable: true });

function start(id: number, argv: string[]): void {
  const controller = new AbortController();
  running.set(id, controller);
  void runCommand(argv, {
    signal: controller.signal,
    capture: config.capture,
    killGrace: config.killGrace,
    groups,
  }).then((outcome) => {
    running.delete(id);
    socket.write(encodeDone(id, outcome));
  });
}

const reader = new FrameReader((body) => {
  const { kind, id, payload } = decodeRequest(body);
  if (kind === RUN) start(id, decodeArgv(payload));
  else if (kind === STOP) running.get(id)?.abort();
  else if (kind === KILL_ALL) groups.killAll('SIGKILL');
});

function shutDown(): never {
  groups.killAll('SIGKILL');
  process.exit(0);
}

socket.on('data', (chunk: Buffer) => reader.push(chunk));
socket.on('end', shutDown);
socket.on('close', shutDown);
// crew's end of the socket is gone: nobody reads the outcomes any more.
socket.on('error', shutDown);
// The spawner runs in its own session, so no terminal signal reaches it; one sent to it on
// purpose still leaves no job behind.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutDown);
process.on('exit', () => groups.killAll('SIGKILL'));
// Ready: the answer with id 0 (no job has it), so that crew starts no job's clock before a
// spawner can run it.
const NONE = Buffer.alloc(0);
socket.write(encodeDone(0, { exitCode: 0, signal: null, stdout: NONE, stderr: NONE }));
