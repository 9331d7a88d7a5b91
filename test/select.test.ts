import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { Channel } from '../src/channel.js';
import { ChannelClosedError } from '../src/errors.js';
import { after, select, trySelect } from '../src/select.js';
import { rejection, state } from './primitives-helpers.js';

const T = { timeout: 10_000 };

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('select', () => {
  it('fires the one ready case and returns its value', T, async () => {
    const a = new Channel<number>(1);
    const b = new Channel<string>(1);
    await b.send('x');
    const r = await select({ a: a.onReceive(), b: b.onReceive() });
    assert.deepEqual(r, { case: 'b', value: 'x', ok: true });
    if (r.case === 'b' && r.ok) {
      const s: string = r.value; // the result is typed per case
      assert.equal(s, 'x');
    }
  });

  it('waits until a case becomes ready, then fires only that one', T, async () => {
    const a = new Channel<number>();
    const b = new Channel<number>();
    const pending = select({ a: a.onReceive(), b: b.onReceive() });
    assert.equal(await state(pending), 'pending');
    await b.send(2);
    assert.deepEqual(await pending, { case: 'b', value: 2, ok: true });
    // The losing case withdrew: a's sender finds no receiver.
    assert.equal(a.trySend(1), false);
  });

  it('a send case delivers its value to a waiting receiver', T, async () => {
    const out = new Channel<number | undefined>();
    const received = out.receive();
    const r = await select({ out: out.onSend(undefined) });
    assert.deepEqual(r, { case: 'out' });
    assert.deepEqual(await received, { value: undefined, ok: true });
  });

  it('a losing send case delivers nothing', T, async () => {
    const jobs = new Channel<number>();
    const out = new Channel<number>();
    const pending = select({ job: jobs.onReceive(), out: out.onSend(99) });
    await jobs.send(1);
    assert.deepEqual(await pending, { case: 'job', value: 1, ok: true });
    assert.equal(out.tryReceive(), undefined);
  });

  it('two receive cases on one channel fire once between them', T, async () => {
    const ch = new Channel<number>();
    const pending = select({ x: ch.onReceive(), y: ch.onReceive() });
    await ch.send(1);
    const r = await pending;
    assert.ok(r.case === 'x' || r.case === 'y');
    assert.equal(ch.trySend(2), false);
  });

  it('picks uniformly at random among ready cases (loose bound over 30,000 rounds)', T, () => {
    const channels = [new Channel<number>(1), new Channel<number>(1), new Channel<number>(1)];
    const counts = [0, 0, 0];
    const rounds = 30_000;
    for (let i = 0; i < rounds; i++) {
      for (const ch of channels) if (ch.length === 0) ch.trySend(i);
      const r = trySelect({
        0: channels[0]!.onReceive(),
        1: channels[1]!.onReceive(),
        2: channels[2]!.onReceive(),
      });
      counts[Number(r!.case)]!++;
    }
    // Expected 10,000 each, standard deviation ≈ 82: a ±1,000 band is over 12 deviations.
    for (const c of counts)
      assert.ok(Math.abs(c - rounds / 3) < 1000, `counts ${counts.join(', ')}`);
  });

  it('select (not only trySelect) is fair among ready cases', T, async () => {
    const a = new Channel<number>(1);
    const b = new Channel<number>(1);
    let fromA = 0;
    const rounds = 4000;
    for (let i = 0; i < rounds; i++) {
      if (a.length === 0) a.trySend(i);
      if (b.length === 0) b.trySend(i);
      if ((await select({ a: a.onReceive(), b: b.onReceive() })).case === 'a') fromA++;
    }
    // Expected 2,000, standard deviation ≈ 32: a ±400 band is over 12 deviations.
    assert.ok(Math.abs(fromA - rounds / 2) < 400, `a fired ${fromA} times`);
  });

  it(
    'picks randomly between two send cases to one channel (Go: TestPseudoRandomSend)',
    T,
    async () => {
      const ch = new Channel<number>(1);
      const n = 2000;
      let ones = 0;
      for (let i = 0; i < n; i++) {
        await select({ zero: ch.onSend(0), one: ch.onSend(1) });
        ones += ch.tryReceive()!.value!;
      }
      // Expected 1,000, standard deviation ≈ 22: a ±300 band is over 13 deviations.
      assert.ok(Math.abs(ones - n / 2) < 300, `sent 1 ${ones} times out of ${n}`);
    },
  );

  it('a buffered value is ready before and after close (Go: TestNonblockRecvRace)', T, async () => {
    for (let i = 0; i < 100; i++) {
      const ch = new Channel<number>(1);
      await ch.send(1);
      ch.close();
      assert.deepEqual(trySelect({ c: ch.onReceive() }), { case: 'c', value: 1, ok: true });
      assert.deepEqual(trySelect({ c: ch.onReceive() }), {
        case: 'c',
        value: undefined,
        ok: false,
      });
    }
  });

  it('a receive case on a closed channel is ready with ok: false', T, async () => {
    const done = new Channel<void>();
    const never = new Channel<number>();
    done.close();
    assert.deepEqual(await select({ done: done.onReceive(), never: never.onReceive() }), {
      case: 'done',
      value: undefined,
      ok: false,
    });
    const waiting = new Channel<number>();
    const pending = select({ w: waiting.onReceive() });
    waiting.close();
    assert.deepEqual(await pending, { case: 'w', value: undefined, ok: false });
  });

  it(
    'a send case to a closed channel rejects with ChannelClosedError (where Go panics)',
    T,
    async () => {
      const ch = new Channel<number>(1);
      ch.close();
      assert.ok((await rejection(select({ s: ch.onSend(1) }))) instanceof ChannelClosedError);
      assert.throws(() => trySelect({ s: ch.onSend(1) }), ChannelClosedError);
      const open = new Channel<number>();
      const other = new Channel<number>();
      const pending = select({ s: open.onSend(1), r: other.onReceive() });
      open.close();
      assert.ok((await rejection(pending)) instanceof ChannelClosedError);
      // The receive case withdrew too.
      assert.equal(other.trySend(1), false);
    },
  );

  it(
    'never pairs a send case with a receive case of the same select (Go: TestSelfSelect)',
    T,
    async () => {
      const ch = new Channel<number>();
      const loop = async (id: number) => {
        for (let i = 0; i < 500; i++) {
          const r = await select({ send: ch.onSend(id), receive: ch.onReceive() });
          if (r.case === 'receive') assert.notEqual(r.value, id);
        }
      };
      await Promise.all([loop(1), loop(2)]);
    },
  );

  describe('after', () => {
    it('fires when no other case becomes ready', T, async () => {
      const ch = new Channel<number>();
      assert.deepEqual(await select({ ch: ch.onReceive(), tick: after(5) }), { case: 'tick' });
      assert.equal(ch.trySend(1), false);
    });

    it('its timer is cleared when another case wins', T, async () => {
      const before = activeTimers();
      const ch = new Channel<number>();
      const pending = select({ ch: ch.onReceive(), tick: after(60_000) });
      assert.equal(activeTimers(), before + 1);
      await ch.send(1);
      assert.deepEqual(await pending, { case: 'ch', value: 1, ok: true });
      assert.equal(activeTimers(), before);
    });

    it(
      'counts from its own creation, so one after() serves as a deadline for many selects',
      T,
      async () => {
        const deadline = after(20);
        const ch = new Channel<number>();
        let rounds = 0;
        for (;;) {
          const r = await select({ ch: ch.onReceive(), deadline });
          if (r.case === 'deadline') break;
          rounds++;
        }
        assert.equal(rounds, 0);
        assert.deepEqual(trySelect({ deadline }), { case: 'deadline' });
      },
    );

    it('rejects a negative or non-finite delay', T, () => {
      for (const bad of [-1, NaN, Infinity, '5']) {
        assert.throws(() => after(bad as number), { code: 'CREW_INVALID_OPTION' });
      }
    });
  });

  describe('trySelect', () => {
    it('returns undefined where no case is ready, and leaves no waiter behind', T, () => {
      const ch = new Channel<number>();
      assert.equal(trySelect({ a: ch.onReceive(), b: after(1000) }), undefined);
      assert.equal(ch.trySend(1), false);
    });

    it('completes a ready send case', T, async () => {
      const ch = new Channel<number>(1);
      assert.deepEqual(trySelect({ s: ch.onSend(3) }), { case: 's' });
      assert.deepEqual(await ch.receive(), { value: 3, ok: true });
    });
  });

  describe('abort', () => {
    it('an aborted select rejects with the reason and fires no case', T, async () => {
      const a = new Channel<number>();
      const b = new Channel<number>();
      const controller = new AbortController();
      const before = activeTimers();
      const pending = select(
        { a: a.onReceive(), b: b.onSend(1), t: after(60_000) },
        { signal: controller.signal },
      );
      controller.abort('cancelled');
      assert.equal(await rejection(pending), 'cancelled');
      assert.equal(a.trySend(1), false);
      assert.equal(b.tryReceive(), undefined);
      assert.equal(activeTimers(), before);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });

    it(
      'an already-aborted signal rejects at once and consumes nothing, even with a case ready',
      T,
      async () => {
        const ch = new Channel<number>(1);
        await ch.send(1);
        const signal = AbortSignal.abort('early');
        assert.equal(await rejection(select({ ch: ch.onReceive() }, { signal })), 'early');
        assert.equal(ch.length, 1);
      },
    );

    it('a signal reused over 10,000 selects keeps no listener behind', T, async () => {
      const ch = new Channel<number>();
      const { signal } = new AbortController();
      for (let i = 0; i < 10_000; i++) {
        const pending = select({ r: ch.onReceive() }, { signal });
        await ch.send(i);
        await pending;
      }
      assert.equal(getEventListeners(signal, 'abort').length, 0);
    });
  });

  describe('bad input', () => {
    it('rejects no cases, or a case that is not one', T, () => {
      assert.throws(() => select({}), { code: 'CREW_INVALID_OPTION' });
      assert.throws(() => trySelect({}), { code: 'CREW_INVALID_OPTION' });
      assert.throws(() => select({ x: 1 as never }), { code: 'CREW_INVALID_OPTION' });
      assert.throws(() => select(null as never), { code: 'CREW_INVALID_OPTION' });
    });
  });

  describe('under contention', () => {
    it(
      'selects racing over shared channels fire exactly one case each and lose no value',
      T,
      async () => {
        const a = new Channel<number>();
        const b = new Channel<number>(3);
        const n = 2000;
        const received: number[] = [];
        const receivers = Array.from({ length: 6 }, async () => {
          let open = 2;
          let aOpen = true;
          let bOpen = true;
          while (open > 0) {
            const r =
              aOpen && bOpen
                ? await select({ a: a.onReceive(), b: b.onReceive() })
                : aOpen
                  ? { case: 'a' as const, ...(await a.receive()) }
                  : { case: 'b' as const, ...(await b.receive()) };
            if (r.ok) received.push(r.value);
            else {
              open--;
              if (r.case === 'a') aOpen = false;
              else bOpen = false;
            }
          }
        });
        await Promise.all(
          Array.from({ length: 4 }, async (_, s) => {
            for (let i = s; i < n; i += 4) await select({ a: a.onSend(i), b: b.onSend(i) });
          }),
        );
        a.close();
        b.close();
        await Promise.all(receivers);
        assert.deepEqual(
          received.sort((x, y) => x - y),
          Array.from({ length: n }, (_, i) => i),
        );
      },
    );
  });
});
