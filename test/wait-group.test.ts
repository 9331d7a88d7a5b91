import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { NegativeCounterError } from '../src/errors.js';
import { WaitGroup } from '../src/wait-group.js';
import { rejection, state } from './primitives-helpers.js';

const T = { timeout: 10_000 };

describe('WaitGroup', () => {
  it('wait resolves at once when the counter is zero', T, async () => {
    const wg = new WaitGroup();
    assert.equal(wg.count, 0);
    assert.equal(await state(wg.wait()), 'resolved');
  });

  it('wait resolves only once every added piece of work is done', T, async () => {
    const wg = new WaitGroup();
    wg.add(2);
    wg.add();
    const waiting = wg.wait();
    wg.done();
    wg.done();
    assert.equal(wg.count, 1);
    assert.equal(await state(waiting), 'pending');
    wg.done();
    assert.equal(await state(waiting), 'resolved');
  });

  it('releases every waiter at zero and can be reused for a new round', T, async () => {
    const wg = new WaitGroup();
    wg.add(1);
    const waiters = [wg.wait(), wg.wait(), wg.wait()];
    wg.done();
    await Promise.all(waiters);
    wg.add(1);
    const second = wg.wait();
    assert.equal(await state(second), 'pending');
    wg.add(-1);
    await second;
  });

  it('a counter below zero throws NegativeCounterError and stays as it was', T, () => {
    const wg = new WaitGroup();
    assert.throws(() => wg.done(), NegativeCounterError);
    wg.add(2);
    assert.throws(() => wg.add(-3), { code: 'CREW_NEGATIVE_COUNTER' });
    assert.equal(wg.count, 2);
  });

  it('add rejects a delta that is not an integer', T, () => {
    const wg = new WaitGroup();
    for (const bad of [1.5, NaN, Infinity, '1']) {
      assert.throws(() => wg.add(bad as number), { code: 'CREW_INVALID_OPTION' });
    }
    assert.equal(wg.count, 0);
  });

  it('go counts a function in, runs it at once, and counts it out when it settles', T, async () => {
    const wg = new WaitGroup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const result = wg.go(async () => {
      started = true;
      await gate;
      return 42;
    });
    assert.equal(started, true);
    assert.equal(wg.count, 1);
    const waiting = wg.wait();
    assert.equal(await state(waiting), 'pending');
    release();
    assert.equal(await result, 42);
    await waiting;
    assert.equal(wg.count, 0);
  });

  it('go counts out a function that throws or rejects, and hands the error back', T, async () => {
    const wg = new WaitGroup();
    const boom = new Error('boom');
    const thrown = wg.go(() => {
      throw boom;
    });
    const rejected = wg.go(() => Promise.reject(boom));
    assert.equal(await rejection(thrown), boom);
    assert.equal(await rejection(rejected), boom);
    assert.equal(wg.count, 0);
    await wg.wait();
  });

  it('an aborted wait rejects with the reason and leaves the counter alone', T, async () => {
    const wg = new WaitGroup();
    wg.add(1);
    const controller = new AbortController();
    const waiting = wg.wait({ signal: controller.signal });
    const other = wg.wait();
    controller.abort('stop');
    assert.equal(await rejection(waiting), 'stop');
    assert.equal(wg.count, 1);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    wg.done();
    await other;
    assert.equal(await rejection(wg.wait({ signal: AbortSignal.abort('early') })), 'early');
  });

  it('a signal reused over 10,000 waits keeps no listener behind', T, async () => {
    const wg = new WaitGroup();
    const { signal } = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      wg.add(1);
      const waiting = wg.wait({ signal });
      wg.done();
      await waiting;
    }
    assert.equal(getEventListeners(signal, 'abort').length, 0);
  });
});
