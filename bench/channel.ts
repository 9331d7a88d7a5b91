/**
 * Channel throughput: one producer sends N numbers, 1 or 8 consumers receive them until
 * the channel is closed; unbuffered (capacity 0) and buffered (capacity 1024). One op is
 * one value handed from the producer to a consumer. Compared with async-channel and
 * ts-chan, and with a floor.
 *
 * The floor: the same producer and consumer loops with no channel at all, where each
 * send and each receive is a single `await` of an already-resolved promise. Any
 * promise-returning channel pays at least these two awaits per value (a consumer cannot
 * get a value without awaiting, nor a producer learn that it was taken), so no such
 * channel can be faster; the distance to the floor is the channel's own cost. For an
 * unbuffered channel the floor is out of reach by construction: a rendezvous must park
 * one side on a pending promise that the other side resolves, which costs more than an
 * await of a settled one.
 *
 * Each (implementation, round) runs in a fresh process (the harness's `isolate` mode: one
 * untimed warm-up round, then one measured round; rounds interleaved, medians reported).
 * Measured in one shared process, the same crew line ranged from 1.3 to 4.4 million ops/s
 * from round to round, and its median moved by 2.4× between two runs of the whole file:
 * what ran before (another channel's garbage, the JIT's state of the shared promise
 * machinery) decided the result. `CREW_BENCH_ISOLATE=0` measures in one process again.
 *
 * Run alone: node --expose-gc --import tsx bench/channel.ts
 */
import { Channel as AsyncChannel } from 'async-channel';
import * as tsChanModule from 'ts-chan';
import { Channel } from '../src/channel.js';
import { compare, report, throughput } from './harness.js';

// ts-chan's bundled declarations do not resolve under NodeNext (extensionless imports),
// so its Chan is typed here by the part this benchmark uses.
interface TsChan<T> {
  send(value: T): Promise<void>;
  recv(): Promise<IteratorResult<T, T | undefined>>;
  close(): void;
}
const { Chan } = tsChanModule as unknown as { Chan: new <T>(capacity: number) => TsChan<T> };

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_VALUE: Promise<number> = Promise.resolve(1);

async function crew(capacity: number, consumers: number, n: number): Promise<void> {
  const ch = new Channel<number>(capacity);
  const receiving = Array.from({ length: consumers }, async () => {
    let sum = 0;
    for (;;) {
      const r = await ch.receive();
      if (!r.ok) return sum;
      sum += r.value;
    }
  });
  for (let i = 0; i < n; i++) await ch.send(i);
  ch.close();
  await Promise.all(receiving);
}

async function asyncChannel(capacity: number, consumers: number, n: number): Promise<void> {
  const ch = new AsyncChannel<number>(capacity);
  const receiving = Array.from({ length: consumers }, async () => {
    let sum = 0;
    for (;;) {
      try {
        sum += await ch.get();
      } catch {
        return sum; // ChannelClosedError: closed and drained
      }
    }
  });
  for (let i = 0; i < n; i++) await ch.push(i);
  ch.close();
  await Promise.all(receiving);
}

async function tsChan(capacity: number, consumers: number, n: number): Promise<void> {
  const ch = new Chan<number>(capacity);
  const receiving = Array.from({ length: consumers }, async () => {
    let sum = 0;
    for (;;) {
      const r = await ch.recv();
      if (r.done) return sum;
      sum += r.value;
    }
  });
  for (let i = 0; i < n; i++) await ch.send(i);
  ch.close();
  await Promise.all(receiving);
}

/** The floor: the same loops, each send and each receive one await of a settled promise. */
async function floor(_capacity: number, consumers: number, n: number): Promise<void> {
  let left = n;
  const receiving = Array.from({ length: consumers }, async () => {
    let sum = 0;
    while (left > 0) {
      left--;
      sum += await RESOLVED_VALUE;
    }
    return sum;
  });
  for (let i = 0; i < n; i++) await RESOLVED;
  await Promise.all(receiving);
}

const N = 600_000;
/**
 * Processes per line and implementation. On this machine a process lands, for reasons outside
 * the code (the same code, the same schedule of microtasks), in a slow or a fast mode for its
 * whole life: crew's unbuffered 1 → 1 ran at 2.5–2.9 or 3.8–5.8 million ops/s, async-channel's
 * at 2.6–2.8 or 4.2–4.7. With 5 processes the median was a coin toss between modes; 11 steady it.
 */
const ROUNDS = Number(process.env.CREW_BENCH_ROUNDS ?? 11);
const N_TS_CHAN = 30_000; // ts-chan yields to the macrotask queue, so it is far slower

for (const capacity of [0, 1024]) {
  for (const consumers of [1, 8]) {
    const name = `${capacity === 0 ? 'unbuffered' : `buffered(${capacity})`}, 1 producer → ${consumers} consumer${consumers > 1 ? 's' : ''}`;
    await compare(
      'channel',
      name,
      {
        crew: () => throughput(N, () => crew(capacity, consumers, N)),
        'async-channel': () => throughput(N, () => asyncChannel(capacity, consumers, N)),
        'ts-chan': () => throughput(N_TS_CHAN, () => tsChan(capacity, consumers, N_TS_CHAN)),
        'floor (one await per send and per receive)': () =>
          throughput(N, () => floor(capacity, consumers, N)),
      },
      { rounds: ROUNDS, isolate: process.env.CREW_BENCH_ISOLATE !== '0' },
    );
  }
}

report('Channel throughput');
