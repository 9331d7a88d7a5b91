/**
 * The wire between `crew run` and its spawner processes (see spawner.ts): length-prefixed
 * binary frames over one socket, so that a job's output crosses as raw bytes, never re-encoded.
 *
 * crew → spawner: `[u32 length][u8 kind][u32 id][payload]`, where `length` counts what follows
 * it. `RUN` carries the argv, its arguments in UTF-8 joined with NUL bytes (no argument can
 * hold one: exec takes C strings, and crew refuses such a job before it is sent); `STOP` and
 * `KILL_ALL` carry nothing.
 *
 * spawner → crew, one `DONE` frame per job: `[u32 length][u32 id][i32 exit code, -1 for
 * none][u8 n][n bytes: signal name][u32 stdout length][stdout][stderr]`.
 */
import type { CommandOutcome } from './command.js';

/** Run a command: `payload` is its argv as JSON. */
export const RUN = 1;
/** Stop one running command (its whole group: SIGTERM, then SIGKILL after the grace). */
export const STOP = 2;
/** SIGKILL every running command's group now. */
export const KILL_ALL = 3;

export type RequestKind = typeof RUN | typeof STOP | typeof KILL_ALL;

/** What a spawner is told as it starts (its one command-line argument, as JSON). */
export interface SpawnerConfig {
  capture: boolean;
  killGrace: number;
}

/** A RUN request's payload: the arguments joined with NUL bytes (none may contain one). */
export function encodeArgv(argv: readonly string[]): string {
  return argv.join('\0');
}

export function decodeArgv(payload: string): string[] {
  return payload.split('\0');
}

export function encodeRequest(kind: RequestKind, id: number, payload?: string): Buffer {
  const bytes = payload === undefined ? 0 : Buffer.byteLength(payload);
  const frame = Buffer.allocUnsafe(9 + bytes);
  frame.writeUInt32LE(5 + bytes, 0);
  frame.writeUInt8(kind, 4);
  frame.writeUInt32LE(id, 5);
  if (payload !== undefined) frame.write(payload, 9);
  return frame;
}

export function decodeRequest(body: Buffer): { kind: number; id: number; payload: string } {
  return { kind: body.readUInt8(0), id: body.readUInt32LE(1), payload: body.toString('utf8', 5) };
}

export function encodeDone(id: number, outcome: CommandOutcome): Buffer {
  const signal = outcome.signal ?? '';
  const head = 17 + signal.length;
  const frame = Buffer.allocUnsafe(head + outcome.stdout.length + outcome.stderr.length);
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.writeUInt32LE(id, 4);
  frame.writeInt32LE(outcome.exitCode ?? -1, 8);
  frame.writeUInt8(signal.length, 12);
  frame.write(signal, 13, 'latin1');
  frame.writeUInt32LE(outcome.stdout.length, 13 + signal.length);
  outcome.stdout.copy(frame, head);
  outcome.stderr.copy(frame, head + outcome.stdout.length);
  return frame;
}

export function decodeDone(body: Buffer): { id: number; outcome: CommandOutcome } {
  const id = body.readUInt32LE(0);
  const exitCode = body.readInt32LE(4);
  const signalLength = body.readUInt8(8);
  const signal = signalLength === 0 ? null : body.toString('latin1', 9, 9 + signalLength);
  const outLength = body.readUInt32LE(9 + signalLength);
  const start = 13 + signalLength;
  return {
    id,
    outcome: {
      exitCode: exitCode === -1 ? null : exitCode,
      signal: signal as NodeJS.Signals | null,
      stdout: body.subarray(start, start + outLength),
      stderr: body.subarray(start + outLength),
    },
  };
}

/**
 * Cuts a byte stream into frame bodies. Chunks are kept as they come and joined once per
 * frame, so a large output costs one copy, not one per chunk.
 */
export class FrameReader {
  readonly #onFrame: (body: Buffer) => void;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(onFrame: (body: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      let head = this.#chunks[0]!;
      if (head.length < 4) head = this.#join();
      const length = head.readUInt32LE(0);
      if (this.#buffered < 4 + length) return;
      if (head.length < 4 + length) head = this.#join();
      this.#onFrame(head.subarray(4, 4 + length));
      const rest = head.subarray(4 + length);
      this.#buffered -= 4 + length;
      if (rest.length === 0) this.#chunks.shift();
      else this.#chunks[0] = rest;
    }
  }

  #join(): Buffer {
    const all = Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [all];
    return all;
  }
}
