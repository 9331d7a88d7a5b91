// Fetching URLs with a Pool: a rate limit, retries on 503 only, and a timeout per attempt.
// The example starts its own flaky HTTP server on 127.0.0.1 (some first requests answer
// 503, some stall without answering), fetches every URL, prints a summary, and shuts the
// server down so that the process exits.
//
// Run it: node --import tsx examples/http-fetch.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, TaskTimeoutError } from 'crew';

const ITEMS = 30;

// --- the flaky server -------------------------------------------------------------------
const seen = new Map<string, number>();
const server = createServer((req, res) => {
  const n = Number(req.url!.split('/').pop());
  const visits = (seen.get(req.url!) ?? 0) + 1;
  seen.set(req.url!, visits);
  if (n % 5 === 0 && visits === 1) {
    res.writeHead(503).end('busy, try again');
  } else if (n % 7 === 3 && visits === 1) {
    // Stall: never answer this first request (the client's timeout gives up on it).
  } else if (n === 13) {
    res.writeHead(404).end('no such item'); // not retried: only a 503 is
  } else {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n }));
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- the client -------------------------------------------------------------------------
class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

const starts: number[] = []; // when each request started, to check the rate limit below

const pool = new Pool<string, { n: number }>(
  async (url, { signal }) => {
    starts.push(performance.now());
    const response = await fetch(url, { signal });
    if (!response.ok) throw new HttpError(response.status);
    return (await response.json()) as { n: number };
  },
  {
    concurrency: 8,
    rateLimit: { limit: 10, interval: 100 }, // at most 10 requests start in any 100 ms
    timeout: 300, // per attempt: a stalled request is aborted through `signal`
    retries: {
      retries: 3,
      minDelay: 20,
      retryIf: (error) =>
        (error instanceof HttpError && error.status === 503) || error instanceof TaskTimeoutError,
    },
  },
);

let retried503 = 0;
let retriedTimeout = 0;
pool.on('retried', ({ error }) => {
  if (error instanceof TaskTimeoutError) retriedTimeout++;
  else retried503++;
});

const urls = Array.from({ length: ITEMS }, (_, i) => `${base}/items/${i + 1}`);
const failures: string[] = [];
let fetched = 0;
for await (const result of pool.map(urls)) {
  if (result.ok) fetched++;
  else failures.push(`${result.job.slice(base.length)}: ${(result.error as Error).message}`);
}
await pool.close();
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));

console.log(`fetched ${fetched} of ${ITEMS}`);
console.log(`retried after 503: ${retried503}`);
console.log(`retried after timeout: ${retriedTimeout}`);
console.log(`failed: ${failures.join(', ') || 'none'}`);
console.log(`requests started: ${pool.stats.runTime.count}`);

// The rate limit is a sliding window: any 11 starts in a row span at least 100 ms.
let closest = Infinity;
for (let i = 10; i < starts.length; i++) closest = Math.min(closest, starts[i]! - starts[i - 10]!);
console.log(`shortest span of 11 request starts: ${Math.round(closest)} ms`);
