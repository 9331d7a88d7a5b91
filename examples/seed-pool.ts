// The seed program again ("Implementing a Worker Pool in Go"), now with Pool: the workers,
// the WaitGroup and the closing of the results channel are the pool's job. Jobs go in
// through a channel, results come out of one, exactly as in the Go original.
//
// Run it: node --import tsx examples/seed-pool.ts
import { Channel, Pool } from 'crew';

interface Job {
  id: number;
  data: string;
}

interface Outcome {
  jobId: number;
  success: boolean;
  msg: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Three workers, as in the Go program; a few milliseconds of "work" instead of 500.
const pool = new Pool<Job, Outcome>(
  async (job) => {
    await sleep(5);
    console.log(`Processing job ${job.id}: ${job.data}`);
    return { jobId: job.id, success: job.id % 2 === 0, msg: `Job ${job.id} completed` };
  },
  { concurrency: 3 },
);

const numJobs = 10;
const jobs = new Channel<Job>(numJobs);
const results = pool.process(jobs, numJobs);

// Send jobs, then close the channel: the results channel closes once all are done.
for (let i = 1; i <= numJobs; i++) await jobs.send({ id: i, data: `payload-${i}` });
jobs.close();

for await (const result of results) {
  if (!result.ok) throw result.error;
  const { jobId, success, msg } = result.value;
  console.log(`Result: Job ${jobId} | ${success ? 'SUCCESS' : 'FAILED'} | ${msg}`);
}
await pool.close();
console.log('All jobs processed.');
