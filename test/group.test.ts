import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { Group } from '../src/group.js';
import { rejection, state } from './primitives-helpers.js';

const T = { timeout: 10_000 };

/** A promise with its resolve and reject functions, to drive a function step by step. */
function gate<V = void>() {
  let open!: (value: V) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<V>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('Group', () => {
  it('wait resolves once every function succeeded', T, async () => {
    const group = new Group();
    const done: number[] = [];
    for (let i = 0; i < 5; i++) {
      await group.go(async () => {
        await Promise.resolve();
        done.push(i);
      });
    }
    await group.wait();
    assert.deepEqual(done.sort(), [0, 1, 2, 3, 4]);
    assert.equal(group.signal.aborted, false);
  });

  it('wait resolves at once for an empty group', T, async () => {
    assert.equal(await state(new Group().wait()), 'resolved');
  });

  it(
    'the first error aborts the signal and wait rejects with it only after all settled',
    T,
    async () => {
      const group = new Group();
      const slow = gate();
      const first = new Error('first');
      let sawAbort: unknown;
      await group.go(async (signal) => {
        await slow.promise;
        sawAbort = signal.reason;
      });
      await group.go(() => Promise.reject(first));
      await group.go(() => {
        throw new Error('second');
      });
      const waiting = group.wait();
      assert.equal(await state(waiting), 'pending');
      assert.equal(group.signal.aborted, true);
      assert.equal(group.signal.reason, first);
      slow.open();
      assert.equal(await rejection(waiting), first);
      assert.equal(sawAbort, first);
    },
  );

  it('never runs more than limit functions at once, and go waits for a slot', T, async () => {
    const group = new Group({ limit: 2 });
    assert.equal(group.limit, 2);
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const run = (i: number) => async () => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      await gates[i]!.promise;
      running--;
    };
    await group.go(run(0));
    await group.go(run(1));
    const third = group.go(run(2));
    assert.equal(await state(third), 'pending');
    assert.equal(group.queued, 1);
    assert.deepEqual(started, [0, 1]);
    gates[0]!.open();
    assert.equal(await state(third), 'resolved');
    assert.deepEqual(started, [0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await group.wait();
    assert.equal(peak, 2);
  });

  it(
    'after a failure, go and the queued calls resolve without running their function',
    T,
    async () => {
      const group = new Group({ limit: 1 });
      const failing = gate();
      await group.go(() => failing.promise);
      let ran = false;
      const queued = group.go(() => {
        ran = true;
      });
      const boom = new Error('boom');
      failing.fail(boom);
      await queued;
      await group.go(() => {
        ran = true;
      });
      assert.equal(ran, false);
      assert.equal(await rejection(group.wait()), boom);
    },
  );

  it(
    'a parent abort aborts the group signal and skips queued calls; wait then rejects with the reason',
    T,
    async () => {
      const parent = new AbortController();
      const group = new Group({ limit: 1, signal: parent.signal });
      const running = gate();
      await group.go(async (signal) => {
        await running.promise;
        assert.equal(signal.aborted, true);
      });
      let ran = false;
      const queued = group.go(() => {
        ran = true;
      });
      parent.abort('shutdown');
      assert.equal(group.signal.reason, 'shutdown');
      await queued;
      running.open();
      assert.equal(await rejection(group.wait()), 'shutdown');
      assert.equal(ran, false);
    },
  );

  it(
    'wait resolves after a parent abort if every function had started and succeeded',
    T,
    async () => {
      const parent = new AbortController();
      const group = new Group({ signal: parent.signal });
      const running = gate();
      await group.go(() => running.promise);
      parent.abort('late');
      running.open();
      await group.wait();
    },
  );

  it('follows the parent signal only while busy, so no listener is left behind', T, async () => {
    const parent = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const group = new Group({ signal: parent.signal });
      await group.go(() => Promise.resolve());
      await group.go(() => Promise.resolve());
      await group.wait();
    }
    assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
  });

  it('an already-aborted parent means nothing starts', T, async () => {
    const group = new Group({ signal: AbortSignal.abort('gone') });
    let ran = false;
    await group.go(() => {
      ran = true;
    });
    assert.equal(ran, false);
    assert.equal(group.signal.aborted, true);
    assert.equal(await rejection(group.wait()), 'gone');
  });

  it('an aborted wait rejects with its reason and leaves the group running', T, async () => {
    const group = new Group();
    const running = gate();
    await group.go(() => running.promise);
    const controller = new AbortController();
    const waiting = group.wait({ signal: controller.signal });
    controller.abort('impatient');
    assert.equal(await rejection(waiting), 'impatient');
    assert.equal(group.running, 1);
    running.open();
    await group.wait();
  });

  it('rejects bad options and a go without a function', T, () => {
    for (const limit of [0, -1, 1.5, NaN, '2']) {
      assert.throws(() => new Group({ limit: limit as number }), { code: 'CREW_INVALID_OPTION' });
    }
    assert.throws(() => new Group({ signal: 'x' as unknown as AbortSignal }), {
      code: 'CREW_INVALID_OPTION',
    });
    assert.throws(() => new Group(5 as never), { code: 'CREW_INVALID_OPTION' });
    assert.throws(() => new Group().go(undefined as never), { code: 'CREW_INVALID_OPTION' });
  });
});
