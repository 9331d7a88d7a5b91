import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, Pool, PoolClosedError, type PoolOptions } from '../../src/index.js';
import { kPoolExtension, kTaskOptions, type InternalContext } from '../../src/pool/internal.js';

const handler = (n: number): number => n;

function invalid(fn: () => unknown, option: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.code, 'CREW_INVALID_OPTION');
    assert.equal(error.option, option);
    // The message names the option, what was expected, and the value given.
    assert.match(error.message, /^Expected `[^`]+` to be .+, got .+$/s);
    assert.ok(error.message.startsWith(`Expected \`${option}\` to be `), error.message);
    return true;
  });
}

describe('Pool options', () => {
  it('a handler that is not a function is rejected at construction', () => {
    invalid(() => new Pool('nope' as unknown as () => void), 'handler');
  });

  it('every bad pool option is rejected at construction, naming the option', () => {
    const cases: [unknown, string][] = [
      [{ concurrency: 0 }, 'concurrency'],
      [{ concurrency: -1 }, 'concurrency'],
      [{ concurrency: 1.5 }, 'concurrency'],
      [{ concurrency: NaN }, 'concurrency'],
      [{ concurrency: '4' }, 'concurrency'],
      [{ concurrency: Infinity }, 'concurrency'],
      [{ queueSize: -1 }, 'queueSize'],
      [{ queueSize: 2.5 }, 'queueSize'],
      [{ queueSize: NaN }, 'queueSize'],
      [{ retries: -1 }, 'retries'],
      [{ retries: 1.5 }, 'retries'],
      [{ retries: 'x' }, 'retries'],
      [{ retries: { retries: -2 } }, 'retries.retries'],
      [{ retries: { retries: 1, minDelay: -1 } }, 'retries.minDelay'],
      [{ retries: { retries: 1, minDelay: 50, maxDelay: 10 } }, 'retries.maxDelay'],
      [{ retries: { retries: 1, factor: 0.5 } }, 'retries.factor'],
      [{ retries: { retries: 1, jitter: 'full' } }, 'retries.jitter'],
      [{ retries: { retries: 1, retryIf: true } }, 'retries.retryIf'],
      [{ retries: { retires: 1 } }, 'retries.retires'],
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: -5 }, 'timeout'],
      [{ timeout: 1.5 }, 'timeout'],
      [{ timeout: NaN }, 'timeout'],
      [{ rateLimit: 5 }, 'rateLimit'],
      [{ rateLimit: { limit: 0, interval: 10 } }, 'rateLimit.limit'],
      [{ rateLimit: { limit: 1.5, interval: 10 } }, 'rateLimit.limit'],
      [{ rateLimit: { limit: 1, interval: -1 } }, 'rateLimit.interval'],
      [{ rateLimit: { limit: 1 } }, 'rateLimit.interval'],
      [{ rateLimit: { limit: NaN, interval: 10 } }, 'rateLimit.limit'],
      [{ rateLimit: { limit: 1, interval: '10' } }, 'rateLimit.interval'],
      [{ queueSize: '5' }, 'queueSize'],
      [{ timeout: '100' }, 'timeout'],
      [{ signal: {} }, 'signal'],
      [{ asyncContext: 'no' }, 'asyncContext'],
      [{ asyncContext: 0 }, 'asyncContext'],
      [{ concurency: 4 }, 'concurency'],
      [42, 'options'],
    ];
    for (const [options, option] of cases) {
      invalid(() => new Pool(handler, options as PoolOptions), option);
    }
  });

  it('an unknown option is named with the options that exist', () => {
    assert.throws(() => new Pool(handler, { concurency: 4 } as PoolOptions), {
      message:
        'Expected `concurency` to be one of the known options (concurrency, queueSize, retries, timeout, rateLimit, signal, asyncContext), got `4` (number)',
    });
    assert.throws(() => new Pool(handler, { retries: { retires: 1 } } as PoolOptions), {
      message:
        /^Expected `retries.retires` to be one of the known options \(retries, minDelay, maxDelay, factor, jitter, retryIf\)/,
    });
  });

  it('good options are accepted, including Infinity where documented', async () => {
    const pool = new Pool(handler, {
      concurrency: 3,
      queueSize: Infinity,
      retries: { retries: Infinity, minDelay: 0, maxDelay: Infinity, factor: 1.5, jitter: false },
      timeout: Infinity,
      rateLimit: { limit: 10, interval: 1000 },
      signal: new AbortController().signal,
      asyncContext: false,
    });
    assert.equal(pool.concurrency, 3);
    assert.equal(await pool.run(7), 7);
    await pool.close();
  });

  it('concurrency defaults to the available parallelism', async () => {
    const pool = new Pool(handler);
    assert.ok(Number.isInteger(pool.concurrency) && pool.concurrency >= 1);
    await pool.close();
  });

  it('bad task options are rejected when the task is handed over, and the task never runs', async () => {
    let ran = 0;
    const pool = new Pool(() => void ran++, { concurrency: 1 });
    invalid(() => pool.run(undefined, { priority: NaN }), 'priority');
    invalid(() => pool.run(undefined, { priority: '1' as unknown as number }), 'priority');
    invalid(() => pool.submit(undefined, { timeout: 0 }), 'timeout');
    invalid(() => pool.trySubmit(undefined, { retries: -1 }), 'retries');
    invalid(() => pool.run(undefined, { signal: 'x' as unknown as AbortSignal }), 'signal');
    invalid(() => pool.run(undefined, { prio: 1 } as never), 'prio');
    invalid(() => pool.run(undefined, 5 as never), 'taskOptions');
    await pool.close();
    assert.equal(ran, 0);
  });

  it('setting concurrency to a bad value throws and keeps the old value', async () => {
    const pool = new Pool(handler, { concurrency: 2 });
    invalid(() => (pool.concurrency = 0), 'concurrency');
    invalid(() => (pool.concurrency = 2.5), 'concurrency');
    assert.equal(pool.concurrency, 2);
    await pool.close();
  });

  it('map rejects a non-iterable input and unknown map options', async () => {
    const pool = new Pool(handler, { concurrency: 1 });
    invalid(() => pool.map(5 as never), 'jobs');
    invalid(() => pool.map(null as never), 'jobs');
    invalid(() => pool.map([], { ordered: 'yes' as never }), 'ordered');
    invalid(() => pool.map([], { order: true } as never), 'order');
    await pool.close();
  });

  it('handing over a job after close() is refused with PoolClosedError', async () => {
    const pool = new Pool(handler, { concurrency: 1 });
    await pool.close();
    await assert.rejects(pool.run(1), PoolClosedError);
    await assert.rejects(pool.submit(1), PoolClosedError);
    assert.throws(() => pool.trySubmit(1), PoolClosedError);
    const iteration = pool.map([1])[Symbol.asyncIterator]();
    await assert.rejects(iteration.next(), PoolClosedError);
  });

  it('a wrapper can accept extra option keys and read each task options object inside the handler', async () => {
    const seen: unknown[] = [];
    const options = {
      concurrency: 1,
      threads: 2,
      [kPoolExtension]: {
        poolOptions: ['threads'],
        taskOptions: {
          transfer: (value: unknown, name: string) => {
            if (!Array.isArray(value)) throw new InvalidOptionError(name, value, 'an array');
          },
        },
      },
    };
    const pool = new Pool<number, number>((n, ctx) => {
      seen.push((ctx as unknown as InternalContext)[kTaskOptions]);
      return n;
    }, options);
    const taskOptions = { transfer: [1], priority: 2 } as unknown as { priority: number };
    assert.equal(await pool.run(1, taskOptions), 1);
    assert.equal(await pool.run(2), 2);
    invalid(() => pool.run(3, { transfer: 'x' } as never), 'transfer');
    assert.deepEqual(seen, [taskOptions, undefined]);
    assert.equal(seen[0], taskOptions);
    await pool.close();
  });
});
