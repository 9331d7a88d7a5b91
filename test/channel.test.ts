import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { Channel } from '../src/channel.js';
import { ChannelClosedError, InvalidOptionError } from '../src/errors.js';
import { select } from '../src/select.js';
import { flush, rejection, state } from './primitives-helpers.js';
import { prng } from './random.js';

const T = { timeout: 10_000 };

describe('Channel', () => {
  describe('construction', () => {
    it('rejects a capacity that is negative, fractional, NaN or not a number, naming it', T, () => {
      for (const bad of [-1, 1.5, NaN, -Infinity, '3', null, {}]) {
        assert.throws(
          () => new Channel(bad as number),
          (error: unknown) =>
            error instanceof InvalidOptionError &&
            error.code === 'CREW_INVALID_OPTION' &&
            error.option === 'capacity' &&
            Object.is(error.value, bad),
        );
      }
    });

    it('is unbuffered by default and reports capacity, length and closed', T, async () => {
      const unbuffered = new Channel<number>();
      assert.equal(unbuffered.capacity, 0);
      const ch = new Channel<number>(3);
      await ch.send(1);
      await ch.send(2);
      assert.deepEqual([ch.capacity, ch.length, ch.closed], [3, 2, false]);
      ch.close();
      assert.equal(ch.closed, true);
    });

    it('accepts Infinity for an unbounded buffer', T, async () => {
      const ch = new Channel<number>(Infinity);
      for (let i = 0; i < 5000; i++) await ch.send(i);
      assert.equal(ch.length, 5000);
    });
  });

  describe('unbuffered rendezvous', () => {
    it('a send waits until a receiver takes the value', T, async () => {
      const ch = new Channel<string>();
      const sent = ch.send('a');
      assert.equal(await state(sent), 'pending');
      assert.deepEqual(await ch.receive(), { value: 'a', ok: true });
      assert.equal(await state(sent), 'resolved');
    });

    it('a receive waits until a sender brings a value', T, async () => {
      const ch = new Channel<string>();
      const received = ch.receive();
      assert.equal(await state(received), 'pending');
      await ch.send('b');
      assert.deepEqual(await received, { value: 'b', ok: true });
    });

    it('trySend succeeds only when a receiver waits', T, async () => {
      const ch = new Channel<number>();
      assert.equal(ch.trySend(1), false);
      const received = ch.receive();
      assert.equal(ch.trySend(2), true);
      assert.deepEqual(await received, { value: 2, ok: true });
    });

    it('tryReceive succeeds only when a sender waits', T, async () => {
      const ch = new Channel<number>();
      assert.equal(ch.tryReceive(), undefined);
      const sent = ch.send(7);
      assert.deepEqual(ch.tryReceive(), { value: 7, ok: true });
      await sent;
    });
  });

  describe('buffering', () => {
    it('a send resolves at once while the buffer has room, then waits', T, async () => {
      const ch = new Channel<number>(2);
      await ch.send(1);
      await ch.send(2);
      const third = ch.send(3);
      assert.equal(await state(third), 'pending');
      assert.equal(ch.length, 2);
      assert.deepEqual(await ch.receive(), { value: 1, ok: true });
      assert.equal(await state(third), 'resolved');
      assert.equal(ch.length, 2);
    });

    it(
      'a freed slot goes to the oldest waiting sender, so a newcomer cannot overtake',
      T,
      async () => {
        const ch = new Channel<string>(1);
        await ch.send('first');
        const waiting = ch.send('waiting');
        assert.deepEqual(ch.tryReceive(), { value: 'first', ok: true });
        assert.equal(ch.trySend('newcomer'), false);
        await waiting;
        assert.deepEqual(ch.tryReceive(), { value: 'waiting', ok: true });
      },
    );
  });

  describe('order', () => {
    it('buffered values come out in the order they went in', T, async () => {
      const ch = new Channel<number>(100);
      for (let i = 0; i < 100; i++) await ch.send(i);
      for (let i = 0; i < 100; i++) assert.deepEqual(await ch.receive(), { value: i, ok: true });
    });

    it('waiting senders are served first in, first out', T, async () => {
      for (const capacity of [0, 1, 5]) {
        const ch = new Channel<number>(capacity);
        const resolvedOrder: number[] = [];
        const sends = Array.from({ length: 50 }, (_, i) =>
          ch.send(i).then(() => resolvedOrder.push(i)),
        );
        const got: number[] = [];
        for (let i = 0; i < 50; i++) got.push((await ch.receive()).value!);
        await Promise.all(sends);
        assert.deepEqual(
          got,
          Array.from({ length: 50 }, (_, i) => i),
        );
        assert.deepEqual(
          resolvedOrder,
          [...resolvedOrder].sort((a, b) => a - b),
        );
      }
    });

    it('waiting receivers are served first in, first out', T, async () => {
      for (const capacity of [0, 3]) {
        const ch = new Channel<number>(capacity);
        const receives = Array.from({ length: 50 }, () => ch.receive());
        for (let i = 0; i < 50; i++) await ch.send(i);
        const got = (await Promise.all(receives)).map((r) => r.value);
        assert.deepEqual(
          got,
          Array.from({ length: 50 }, (_, i) => i),
        );
      }
    });

    it('waiting receivers also resume in the order they were served', T, async () => {
      for (const capacity of [0, 4]) {
        const ch = new Channel<number>(capacity);
        const resumed: number[] = [];
        const receives = Array.from({ length: 20 }, (_, i) =>
          ch.receive().then((r) => resumed.push(i) && r.value),
        );
        for (let i = 0; i < 20; i++) ch.trySend(i);
        assert.deepEqual(
          await Promise.all(receives),
          Array.from({ length: 20 }, (_, i) => i),
        );
        assert.deepEqual(
          resumed,
          Array.from({ length: 20 }, (_, i) => i),
        );
      }
    });

    it(
      'waiting receivers are served in arrival order, with or without a signal or in a select, and around a withdrawn one',
      T,
      async () => {
        const rng = prng(7);
        for (let round = 0; round < 200; round++) {
          const ch = new Channel<number>();
          const n = 2 + Math.floor(rng() * 10);
          const controllers: (AbortController | undefined)[] = [];
          const receives: Promise<number | 'aborted'>[] = [];
          for (let i = 0; i < n; i++) {
            // Without a signal a receive waits as a bare function; with one, or in a select,
            // as a record in the channel's queue.
            const kind = rng();
            const controller = kind < 0.3 ? new AbortController() : undefined;
            controllers.push(controller);
            receives.push(
              kind > 0.8
                ? select({ r: ch.onReceive() }).then((r) =>
                    'value' in r ? (r.value as number) : -2,
                  )
                : ch.receive({ signal: controller?.signal }).then(
                    (r) => (r.ok ? r.value : -3),
                    () => 'aborted' as const,
                  ),
            );
          }
          const withdrawn = Math.floor(rng() * n);
          controllers[withdrawn]?.abort();
          const served = controllers[withdrawn] === undefined ? n : n - 1;
          for (let i = 0; i < served; i++) assert.equal(ch.trySend(i), true);
          assert.equal(ch.trySend(-1), false); // nobody else waits
          const got = await Promise.all(receives);
          let next = 0;
          for (const [i, r] of got.entries()) {
            if (i === withdrawn && controllers[i] !== undefined) assert.equal(r, 'aborted');
            else assert.equal(r, next++);
          }
        }
      },
    );

    it('a newcomer receive does not overtake a waiting receiver', T, async () => {
      const ch = new Channel<number>();
      const first = ch.receive();
      assert.equal(ch.tryReceive(), undefined);
      await ch.send(1);
      assert.deepEqual(await first, { value: 1, ok: true });
    });
  });

  describe('ordinary values', () => {
    it('undefined and null are sent and received like any value', T, async () => {
      for (const capacity of [0, 2]) {
        const ch = new Channel<undefined | null>(capacity);
        const sends = Promise.all([ch.send(undefined), ch.send(null)]);
        assert.deepEqual(await ch.receive(), { value: undefined, ok: true });
        assert.deepEqual(await ch.receive(), { value: null, ok: true });
        await sends;
        assert.equal(ch.tryReceive(), undefined);
        const waiting = ch.receive();
        assert.equal(ch.trySend(undefined), true);
        assert.deepEqual(await waiting, { value: undefined, ok: true });
      }
    });
  });

  describe('close', () => {
    it('keeps buffered values receivable and reports ok: false only once drained', T, async () => {
      const ch = new Channel<number>(3);
      await ch.send(1);
      await ch.send(2);
      ch.close();
      assert.deepEqual(await ch.receive(), { value: 1, ok: true });
      assert.deepEqual(ch.tryReceive(), { value: 2, ok: true });
      assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
      assert.deepEqual(ch.tryReceive(), { value: undefined, ok: false });
      assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
    });

    it('wakes every waiting receiver with ok: false', T, async () => {
      const ch = new Channel<number>();
      const receives = Array.from({ length: 10 }, () => ch.receive());
      ch.close();
      for (const r of await Promise.all(receives))
        assert.deepEqual(r, { value: undefined, ok: false });
    });

    it(
      'rejects every waiting sender with ChannelClosedError and delivers none of their values',
      T,
      async () => {
        const ch = new Channel<number>(1);
        await ch.send(0);
        const waiting = [ch.send(1), ch.send(2)];
        ch.close();
        for (const p of waiting) {
          const error = await rejection(p);
          assert.ok(error instanceof ChannelClosedError);
          assert.equal(error.code, 'CREW_CHANNEL_CLOSED');
        }
        assert.deepEqual(await ch.receive(), { value: 0, ok: true });
        assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
      },
    );

    it(
      'a send on a closed channel rejects, trySend throws, and a second close throws',
      T,
      async () => {
        const ch = new Channel<number>(5);
        ch.close();
        assert.ok((await rejection(ch.send(1))) instanceof ChannelClosedError);
        assert.throws(() => ch.trySend(1), ChannelClosedError);
        assert.throws(() => ch.close(), { code: 'CREW_CHANNEL_CLOSED' });
        assert.equal(ch.length, 0);
      },
    );
  });

  describe('async iteration', () => {
    it('for await ends when the channel is closed and drained', T, async () => {
      const ch = new Channel<number>();
      const producer = (async () => {
        for (let i = 0; i < 5; i++) await ch.send(i);
        ch.close();
      })();
      const got: number[] = [];
      for await (const v of ch) got.push(v);
      await producer;
      assert.deepEqual(got, [0, 1, 2, 3, 4]);
    });

    it('break neither closes the channel nor loses a value', T, async () => {
      const ch = new Channel<number>(10);
      for (let i = 0; i < 6; i++) await ch.send(i);
      const got: number[] = [];
      for await (const v of ch) {
        got.push(v);
        if (v === 2) break;
      }
      assert.equal(ch.closed, false);
      for await (const v of ch) {
        got.push(v);
        if (v === 5) break;
      }
      assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
    });

    it('several consumers share the values, each exactly once', T, async () => {
      const ch = new Channel<number>(4);
      const consumers = Array.from({ length: 3 }, async () => {
        const mine: number[] = [];
        for await (const v of ch) mine.push(v);
        return mine;
      });
      for (let i = 0; i < 300; i++) await ch.send(i);
      ch.close();
      const all = (await Promise.all(consumers)).flat().sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: 300 }, (_, i) => i),
      );
    });
  });

  describe('abort', () => {
    it('an aborted send rejects with the reason and its value is never delivered', T, async () => {
      for (const capacity of [0, 1]) {
        const ch = new Channel<string>(capacity);
        if (capacity === 1) await ch.send('fill');
        const controller = new AbortController();
        const sent = ch.send('withdrawn', { signal: controller.signal });
        const reason = new Error('stop');
        controller.abort(reason);
        assert.equal(await rejection(sent), reason);
        if (capacity === 1) assert.deepEqual(await ch.receive(), { value: 'fill', ok: true });
        assert.equal(ch.tryReceive(), undefined);
        const later = ch.send('later');
        assert.deepEqual(await ch.receive(), { value: 'later', ok: true });
        await later;
      }
    });

    it('an aborted receive rejects with the reason and consumes nothing', T, async () => {
      const ch = new Channel<number>();
      const controller = new AbortController();
      const aborted = ch.receive({ signal: controller.signal });
      const next = ch.receive();
      controller.abort('why');
      assert.equal(await rejection(aborted), 'why');
      await ch.send(1);
      assert.deepEqual(await next, { value: 1, ok: true });
    });

    it(
      'an already-aborted signal rejects at once, even when the operation could complete',
      T,
      async () => {
        const ch = new Channel<number>(1);
        const signal = AbortSignal.abort('early');
        assert.equal(await rejection(ch.send(1, { signal })), 'early');
        assert.equal(ch.length, 0);
        await ch.send(2);
        assert.equal(await rejection(ch.receive({ signal })), 'early');
        assert.equal(ch.length, 1);
      },
    );

    it('an abort after the operation completed changes nothing', T, async () => {
      const ch = new Channel<number>();
      const controller = new AbortController();
      const received = ch.receive({ signal: controller.signal });
      await ch.send(5);
      controller.abort();
      assert.deepEqual(await received, { value: 5, ok: true });
    });

    it('a signal reused over 10,000 waiting operations keeps no listener behind', T, async () => {
      const ch = new Channel<number>();
      const { signal } = new AbortController();
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        for (let i = 0; i < 5_000; i++) {
          const received = ch.receive({ signal });
          const sent = ch.send(i, { signal });
          await Promise.all([received, sent]);
          const waitingSend = ch.send(i, { signal });
          await ch.receive({ signal });
          await waitingSend;
        }
        assert.equal(getEventListeners(signal, 'abort').length, 0);
        await flush();
        assert.deepEqual(
          warnings.filter((w) => w.name === 'MaxListenersExceededWarning'),
          [],
        );
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('rejects options that are not an object with an AbortSignal', T, () => {
      const ch = new Channel<number>();
      assert.throws(() => ch.send(1, { signal: 'no' as unknown as AbortSignal }), {
        code: 'CREW_INVALID_OPTION',
      });
      assert.throws(() => ch.receive(42 as unknown as { signal: AbortSignal }), {
        code: 'CREW_INVALID_OPTION',
      });
    });
  });

  describe('many senders and receivers (Go: TestChan, TestMultiConsumer)', () => {
    it('loses and duplicates no value, and keeps each sender’s values in order', T, async () => {
      for (const capacity of [0, 1, 10, 100]) {
        const ch = new Channel<[number, number]>(capacity);
        const senders = 8;
        const perSender = 500;
        const received: [number, number][] = [];
        const consumers = Array.from({ length: 8 }, async () => {
          for await (const v of ch) received.push(v);
        });
        await Promise.all(
          Array.from({ length: senders }, async (_, s) => {
            for (let i = 0; i < perSender; i++) await ch.send([s, i]);
          }),
        );
        ch.close();
        await Promise.all(consumers);
        assert.equal(received.length, senders * perSender);
        const next = new Array<number>(senders).fill(0);
        for (const [s, i] of received) {
          assert.equal(i, next[s], `capacity ${capacity}: sender ${s} out of order`);
          next[s]!++;
        }
      }
    });
  });
});
