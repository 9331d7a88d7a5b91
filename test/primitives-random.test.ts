// Randomized schedules over channels and select: thousands of seeded interleavings of
// senders, receivers, selects, try-operations, aborts and close. Each checks that no
// value is lost or duplicated, that a withdrawn (aborted) send delivered nothing, and
// that every promise settles. A failure names its seed; replay it with CREW_SEED=<seed>.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Channel } from '../src/channel.js';
import { Group } from '../src/group.js';
import { select, trySelect } from '../src/select.js';
import { prng } from './primitives-helpers.js';

const SCHEDULES = 2500;

class Withdrawn extends Error {}

/** What the schedules exercised, so the test cannot pass by exercising nothing. */
const tally = { delivered: 0, withdrawn: 0, viaB: 0 };

async function schedule(seed: number): Promise<void> {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <V>(xs: readonly V[]): V => xs[int(xs.length)]!;
  const jitter = async () => {
    for (let k = int(4); k > 0; k--) await Promise.resolve();
  };

  // A is the main channel; B only ever gets values from selects that offer A too, so a
  // receiver blocked on A alone can always be reached (or released by close).
  const a = new Channel<number>(pick([0, 0, 1, 2, 5]));
  const b = new Channel<number>(pick([0, 1, 3]));
  const controllers: AbortController[] = [];
  const abortable = () => {
    const c = new AbortController();
    controllers.push(c);
    return c.signal;
  };
  const delivered = new Set<number>();
  const withdrawn = new Set<number>();
  const received: number[] = [];

  const senders = Array.from({ length: 1 + int(4) }, async (_, s) => {
    for (let i = 0, n = 1 + int(6); i < n; i++) {
      const v = s * 100 + i;
      await jitter();
      try {
        switch (pick(['send', 'abortable', 'select', 'selectAbortable', 'try'] as const)) {
          case 'send':
            await a.send(v);
            break;
          case 'abortable':
            await a.send(v, { signal: abortable() });
            break;
          case 'select':
            await select({ a: a.onSend(v), b: b.onSend(v) });
            break;
          case 'selectAbortable':
            await select({ a: a.onSend(v), b: b.onSend(v) }, { signal: abortable() });
            break;
          case 'try':
            if (!a.trySend(v)) await a.send(v);
            break;
        }
        delivered.add(v);
      } catch (error) {
        assert.ok(error instanceof Withdrawn, `seed ${seed}: unexpected ${String(error)}`);
        withdrawn.add(v);
      }
    }
  });

  const receivers = Array.from({ length: 1 + int(3) }, async () => {
    let aOpen = true;
    let bOpen = true;
    const take = (from: 'a' | 'b', r: { value: number | undefined; ok: boolean }) => {
      if (r.ok) {
        received.push(r.value!);
        if (from === 'b') tally.viaB++;
      } else if (from === 'a') aOpen = false;
      else bOpen = false;
    };
    while (aOpen || bOpen) {
      await jitter();
      try {
        if (!aOpen) {
          take('b', await b.receive());
          continue;
        }
        switch (
          pick(['receive', 'abortable', 'select', 'selectAbortable', 'try', 'trySelect'] as const)
        ) {
          case 'receive':
            take('a', await a.receive());
            break;
          case 'abortable':
            take('a', await a.receive({ signal: abortable() }));
            break;
          case 'select': {
            const r = bOpen
              ? await select({ a: a.onReceive(), b: b.onReceive() })
              : { case: 'a' as const, ...(await a.receive()) };
            take(r.case, r);
            break;
          }
          case 'selectAbortable': {
            const signal = abortable();
            const r = bOpen
              ? await select({ a: a.onReceive(), b: b.onReceive() }, { signal })
              : { case: 'a' as const, ...(await a.receive({ signal })) };
            take(r.case, r);
            break;
          }
          case 'try': {
            const r = a.tryReceive();
            if (r !== undefined) take('a', r);
            break;
          }
          case 'trySelect': {
            const r = bOpen ? trySelect({ a: a.onReceive(), b: b.onReceive() }) : undefined;
            if (r !== undefined) take(r.case, r);
            break;
          }
        }
      } catch (error) {
        assert.ok(error instanceof Withdrawn, `seed ${seed}: unexpected ${String(error)}`);
      }
    }
  });

  const chaos = (async () => {
    for (let round = int(30); round > 0; round--) {
      await jitter();
      const live = controllers.filter((c) => !c.signal.aborted);
      if (live.length > 0) pick(live).abort(new Withdrawn());
    }
  })();

  await Promise.all(senders);
  a.close();
  b.close();
  await Promise.all([...receivers, chaos]);

  const seen = new Set<number>();
  for (const v of received) {
    assert.ok(!seen.has(v), `seed ${seed}: ${v} received twice`);
    seen.add(v);
  }
  assert.deepEqual(
    [...seen].sort((x, y) => x - y),
    [...delivered].sort((x, y) => x - y),
    `seed ${seed}: received ≠ delivered`,
  );
  for (const v of withdrawn) assert.ok(!seen.has(v), `seed ${seed}: withdrawn ${v} was received`);
  tally.delivered += delivered.size;
  tally.withdrawn += withdrawn.size;
}

/** Runs one schedule; a schedule whose promises do not all settle fails, naming its seed. */
async function settles(seed: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`seed ${seed}: a promise never settled`)), 5_000);
  });
  try {
    await Promise.race([schedule(seed), watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

describe('channels and select under random schedules', () => {
  it(
    `lose no value, duplicate none, and settle every promise over ${SCHEDULES} seeded schedules`,
    { timeout: 60_000 },
    async (t) => {
      const fixed = process.env.CREW_SEED;
      if (fixed !== undefined) return settles(Number(fixed));
      const base = Number(process.env.CREW_SEED_BASE ?? Date.now() % 1_000_000);
      for (let i = 0; i < SCHEDULES; i++) {
        try {
          await settles(base + i);
        } catch (error) {
          console.error(`failing seed: ${base + i} (replay: CREW_SEED=${base + i})`);
          throw error;
        }
      }
      assert.ok(tally.delivered > 5 * SCHEDULES, JSON.stringify(tally));
      assert.ok(tally.withdrawn > SCHEDULES / 10, JSON.stringify(tally));
      assert.ok(tally.viaB > SCHEDULES / 10, JSON.stringify(tally));
      t.diagnostic(`exercised: ${JSON.stringify(tally)}`);
    },
  );
});

/**
 * One seeded run of a Group: functions that succeed or fail after random delays, some
 * handed over while others run, and sometimes a parent abort.
 */
async function groupSchedule(seed: number): Promise<void> {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const jitter = async () => {
    for (let k = int(5); k > 0; k--) await Promise.resolve();
  };
  const limit = 1 + int(4);
  const parent = new AbortController();
  const group = new Group({ limit, signal: parent.signal });
  let running = 0;
  let peak = 0;
  let started = 0;
  let firstError: Error | undefined;
  const total = 1 + int(12);
  const abortAt = random() < 0.2 ? int(total) : -1;
  for (let i = 0; i < total; i++) {
    if (i === abortAt) parent.abort(new Withdrawn());
    const fails = random() < 0.15;
    const work = int(6);
    await group.go(async () => {
      started++;
      running++;
      peak = Math.max(peak, running);
      for (let k = work; k > 0; k--) await Promise.resolve();
      running--;
      if (fails) {
        const error = new Error(`seed ${seed}: function ${i}`);
        firstError ??= error;
        throw error;
      }
    });
    await jitter();
  }
  let outcome: unknown = 'resolved';
  await group.wait().catch((error: unknown) => (outcome = error));
  assert.ok(peak <= limit, `seed ${seed}: ${peak} ran at once, limit ${limit}`);
  assert.equal(running, 0, `seed ${seed}: wait settled while functions ran`);
  if (firstError !== undefined) assert.equal(outcome, firstError, `seed ${seed}`);
  else if (started < total) assert.ok(outcome instanceof Withdrawn, `seed ${seed}`);
  else assert.equal(outcome, 'resolved', `seed ${seed}`);
  if (firstError === undefined && abortAt < 0) assert.equal(started, total, `seed ${seed}`);
}

describe('Group under random schedules', () => {
  it(
    'respects its limit, reports the first error, and settles over 1000 seeded runs',
    { timeout: 60_000 },
    async () => {
      const base = Number(process.env.CREW_SEED_BASE ?? Date.now() % 1_000_000);
      for (let i = 0; i < 1000; i++) {
        try {
          await groupSchedule(base + i);
        } catch (error) {
          console.error(`failing seed: ${base + i}`);
          throw error;
        }
      }
    },
  );
});
