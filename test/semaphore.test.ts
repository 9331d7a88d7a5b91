import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { InvalidOptionError, SemaphoreWeightError } from '../src/errors.js';
import { Semaphore } from '../src/semaphore.js';
import { flush, prng, rejection, state } from './primitives-helpers.js';

const T = { timeout: 10_000 };

describe('Semaphore', () => {
  it('rejects a size that is not an integer ≥ 1', T, () => {
    for (const bad of [0, -1, 1.5, NaN, '2']) {
      assert.throws(() => new Semaphore(bad as number), { code: 'CREW_INVALID_OPTION' });
    }
  });

  it('acquire takes free weight at once and waits when there is not enough', T, async () => {
    const sem = new Semaphore(3);
    await sem.acquire(2);
    assert.equal(sem.available, 1);
    const waiting = sem.acquire(2);
    assert.equal(await state(waiting), 'pending');
    assert.equal(sem.waiting, 1);
    sem.release(1);
    assert.equal(await state(waiting), 'resolved');
    assert.equal(sem.available, 0);
  });

  it('serves waiters first in, first out', T, async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const order: number[] = [];
    const waiters = Array.from({ length: 20 }, (_, i) => sem.acquire().then(() => order.push(i)));
    for (let i = 0; i < 20; i++) {
      sem.release();
      await flush();
    }
    await Promise.all(waiters);
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it(
    'does not starve a heavy waiter: lighter ones behind it wait even if they fit',
    T,
    async () => {
      const sem = new Semaphore(10);
      await sem.acquire(5);
      const heavy = sem.acquire(10);
      const light = sem.acquire(1);
      assert.equal(sem.tryAcquire(1), false);
      assert.equal(await state(light), 'pending');
      sem.release(5);
      assert.equal(await state(heavy), 'resolved');
      assert.equal(await state(light), 'pending');
      sem.release(10);
      assert.equal(await state(light), 'resolved');
    },
  );

  it('an acquire heavier than the semaphore throws at once instead of waiting forever', T, () => {
    const sem = new Semaphore(4);
    assert.throws(
      () => sem.acquire(5),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'weight',
    );
    assert.throws(() => sem.tryAcquire(5), { code: 'CREW_INVALID_OPTION' });
    assert.throws(() => sem.acquire(-1), { code: 'CREW_INVALID_OPTION' });
    assert.throws(() => sem.acquire(1.5), { code: 'CREW_INVALID_OPTION' });
  });

  it('releasing more than is held throws and releases nothing', T, async () => {
    const sem = new Semaphore(4);
    await sem.acquire(2);
    assert.throws(() => sem.release(3), SemaphoreWeightError);
    assert.throws(() => sem.release(3), { code: 'CREW_SEMAPHORE_WEIGHT' });
    assert.equal(sem.available, 2);
  });

  it('an aborted waiter rejects with the reason and takes nothing', T, async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const controller = new AbortController();
    const aborted = sem.acquire(1, { signal: controller.signal });
    const next = sem.acquire(1);
    controller.abort('stop');
    assert.equal(await rejection(aborted), 'stop');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    sem.release();
    await next;
    assert.equal(sem.available, 0);
  });

  it('an aborted head waiter lets the waiters behind it through if they fit', T, async () => {
    const sem = new Semaphore(4);
    await sem.acquire(2);
    const controller = new AbortController();
    const heavy = sem.acquire(4, { signal: controller.signal });
    const light = sem.acquire(2);
    assert.equal(await state(light), 'pending');
    controller.abort('give up');
    assert.equal(await rejection(heavy), 'give up');
    assert.equal(await state(light), 'resolved');
    assert.equal(sem.available, 0);
  });

  it('an already-aborted signal rejects at once even when weight is free', T, async () => {
    const sem = new Semaphore(2);
    assert.equal(await rejection(sem.acquire(1, { signal: AbortSignal.abort('early') })), 'early');
    assert.equal(sem.available, 2);
  });

  it('a weight of 0 passes when nobody waits and queues behind waiters', T, async () => {
    const sem = new Semaphore(1);
    await sem.acquire(0);
    await sem.acquire(1);
    const one = sem.acquire(1);
    const zero = sem.acquire(0);
    assert.equal(await state(zero), 'pending');
    sem.release(1);
    await one;
    await zero;
  });

  it('never lets the held weight exceed the size under random load', T, async () => {
    const seed = 1234;
    const random = prng(seed);
    const sem = new Semaphore(8);
    let held = 0;
    let maxHeld = 0;
    const workers = Array.from({ length: 30 }, async () => {
      for (let i = 0; i < 40; i++) {
        const w = 1 + Math.floor(random() * 8);
        await sem.acquire(w);
        held += w;
        maxHeld = Math.max(maxHeld, held);
        assert.ok(held <= 8, `seed ${seed}: held ${held}`);
        for (let k = Math.floor(random() * 3); k > 0; k--) await Promise.resolve();
        held -= w;
        sem.release(w);
      }
    });
    await Promise.all(workers);
    assert.equal(sem.available, 8);
    assert.equal(maxHeld <= 8, true);
  });
});
