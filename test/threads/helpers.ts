// Shared by the ThreadPool tests: fixture paths and a pool that is always closed.
import { fileURLToPath } from 'node:url';

/** The absolute path of a fixture handler module. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The jobs the `behaviours.mjs` fixture understands. */
export type Behaviour =
  | { kind: 'echo'; value: unknown }
  | { kind: 'attempt' }
  | { kind: 'throw' }
  | { kind: 'throw-type' }
  | { kind: 'throw-string' }
  | { kind: 'uncaught' }
  | { kind: 'unhandled-rejection' }
  | { kind: 'exit'; code: number }
  | { kind: 'oom' }
  | { kind: 'wait-abort' }
  | { kind: 'ignore-abort' }
  | { kind: 'exit-on-first-attempt' }
  | { kind: 'report-abort'; channel: string }
  | { kind: 'thread-id' }
  | { kind: 'mark'; flag: Int32Array }
  | { kind: 'sleep'; ms: number; value: unknown }
  | { kind: 'spin'; ms: number; value: unknown }
  | { kind: 'announce-then-spin'; channel: string; ms: number; value: unknown }
  | { kind: 'aborted-after'; ms: number }
  | { kind: 'unclonable' };

/** Resolves with the first message on a BroadcastChannel named `name`. */
export function firstBroadcast(name: string): Promise<unknown> {
  const channel = new BroadcastChannel(name);
  return new Promise((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as MessageEvent).data);
    };
  });
}
