// The seed of crew: "Implementing a Worker Pool in Go", built from crew's primitives alone
// and kept as close to the Go original as TypeScript allows. A fixed number of workers
// range over a buffered jobs channel; a WaitGroup's wait closes the results channel; the
// main function collects results until that channel is closed.
//
// Run it: node --import tsx examples/seed.ts
import { Channel, select, WaitGroup } from 'crew';

// The Go original sleeps 500 ms (and 200 ms with context) to simulate work; a few
// milliseconds show the same thing.
const WORK_MS = 5;
const WORK_WITH_CONTEXT_MS = 2;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Job represents a task to be processed. */
interface Job {
  id: number;
  data: string;
}

/** Result represents the output of a job. */
interface Result {
  jobId: number;
  success: boolean;
  msg: string;
}

/** Worker function: `for job := range jobs`, then `defer wg.Done()`. */
async function worker(id: number, jobs: Channel<Job>, results: Channel<Result>, wg: WaitGroup) {
  try {
    for await (const job of jobs) {
      // Simulate work
      await sleep(WORK_MS);
      console.log(`Worker ${id} processing job ${job.id}: ${job.data}`);

      // Simulate success/failure
      const success = job.id % 2 === 0;

      // Send result
      await results.send({ jobId: job.id, success, msg: `Job ${job.id} completed` });
    }
  } finally {
    wg.done();
  }
}

/** StartWorkerPool initializes the pool. */
function startWorkerPool(numWorkers: number, jobs: Channel<Job>, results: Channel<Result>) {
  const wg = new WaitGroup();

  // Start workers (`go worker(...)`: not awaited here; the WaitGroup waits for them)
  for (let i = 1; i <= numWorkers; i++) {
    wg.add(1);
    void worker(i, jobs, results, wg);
  }

  // Wait for all workers to finish, then signal no more results
  void wg.wait().then(() => results.close());
}

async function main() {
  const numJobs = 10;
  const numWorkers = 3;

  const jobs = new Channel<Job>(numJobs);
  const results = new Channel<Result>(numJobs);

  // Send jobs
  void (async () => {
    for (let i = 1; i <= numJobs; i++) {
      await jobs.send({ id: i, data: `payload-${i}` });
    }
    jobs.close(); // Important: close job channel to stop workers
  })();

  // Start pool
  startWorkerPool(numWorkers, jobs, results);

  // Collect results
  for await (const result of results) {
    const status = result.success ? 'SUCCESS' : 'FAILED';
    console.log(`Result: Job ${result.jobId} | ${status} | ${result.msg}`);
  }

  console.log('All jobs processed.');
}

/** `ctx.Done()`: a channel that is closed when the signal aborts, so `select` can wait on it. */
function done(signal: AbortSignal): Channel<never> {
  const ch = new Channel<never>();
  if (signal.aborted) ch.close();
  else signal.addEventListener('abort', () => ch.close(), { once: true });
  return ch;
}

/** The seed's `workerWithContext`: stops when the jobs channel closes or the context is cancelled. */
async function workerWithContext(
  ctx: AbortSignal,
  id: number,
  jobs: Channel<Job>,
  results: Channel<Result>,
  wg: WaitGroup,
) {
  try {
    const ctxDone = done(ctx);
    for (;;) {
      const r = await select({ job: jobs.onReceive(), done: ctxDone.onReceive() });
      if (r.case === 'job') {
        if (!r.ok) return; // Channel closed
        // Process job
        await sleep(WORK_WITH_CONTEXT_MS);
        await results.send({
          jobId: r.value.id,
          success: true,
          msg: `Job ${r.value.id} completed`,
        });
      } else {
        console.log(`Worker ${id} shutting down...`);
        return;
      }
    }
  } finally {
    wg.done();
  }
}

/**
 * Context cancellation: the jobs channel is never closed (an endless stream, in effect),
 * so the workers stop only because the main function cancels the context once it has
 * seen enough results.
 */
async function mainWithContext() {
  const numJobs = 10;
  const numWorkers = 3;
  const enough = 5;

  const controller = new AbortController(); // ctx, cancel := context.WithCancel(...)
  const jobs = new Channel<Job>(numJobs);
  const results = new Channel<Result>(numJobs);
  for (let i = 1; i <= numJobs; i++) await jobs.send({ id: i, data: `payload-${i}` });

  const wg = new WaitGroup();
  for (let i = 1; i <= numWorkers; i++) {
    wg.add(1);
    void workerWithContext(controller.signal, i, jobs, results, wg);
  }
  void wg.wait().then(() => results.close());

  let seen = 0;
  for await (const result of results) {
    seen++;
    console.log(`Result: Job ${result.jobId} | SUCCESS | ${result.msg}`);
    if (seen === enough) controller.abort(); // cancel()
  }
  console.log(`Cancelled after ${seen} results; unprocessed jobs left: ${jobs.length}.`);
}

await main();
console.log('--- with context cancellation ---');
await mainWithContext();
