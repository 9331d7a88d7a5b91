/**
 * The side-by-side benchmark harness. Every implementation of a case runs in the
 * same process, rounds interleaved (the order rotates each round) so that noise on
 * this shared machine falls on all of them alike; the table reports medians and
 * each one's ratio to crew.
 *
 * A bench file calls `compare()` once per case and `report()` at the end. Run alone
 * (`node --import tsx bench/pool.ts`) it prints its table; under `npm run bench`
 * (bench/index.ts) the rows are gathered into one table.
 *
 * Opt-in isolation (`{ isolate: true }`): every (implementation, round) runs in a fresh
 * child process (`node --expose-gc --import tsx <this bench file>`, the case and
 * implementation named in `CREW_BENCH_CHILD`), so that no implementation measures the
 * garbage, heap growth or JIT state another one left behind. Rounds stay interleaved
 * across implementations in the same run (the order rotates each round), and the table
 * still reports medians. In the child, the same bench file runs top to bottom, but every
 * `compare()` other than the named case returns at once, the named one runs `warmup`
 * untimed rounds and one measured round of that implementation, and `report()` prints
 * nothing but the measured value.
 */
import { spawn } from 'node:child_process';

export interface Row {
  suite: string;
  case: string;
  impl: string;
  /** Median over rounds. */
  median: number;
  unit: string;
  /** Whether a larger value is better (throughput) or a smaller one (latency, bytes). */
  higherIsBetter: boolean;
  rounds: number;
}

export interface CompareOptions {
  /** Rounds per implementation; default 5. */
  rounds?: number;
  /** Unit of the measured value; default `ops/s`. */
  unit?: string;
  higherIsBetter?: boolean;
  /**
   * Untimed rounds first, so the JIT has warmed up; default 1. With `isolate`, these run
   * in each child process before its one measured round.
   */
  warmup?: number;
  /**
   * Run each (implementation, round) in a fresh child process; see the header. Default
   * `false`: everything in this process, as before.
   */
  isolate?: boolean;
  /**
   * When set, each round's CPU time (user + system, all threads, GC included) of the
   * process that ran it is also recorded, and a second case `<case> (per CPU-second)` is
   * reported with `cpuOps` divided by those CPU-seconds: on a shared machine it is the
   * steadier measure, since time spent waiting for a core is not counted.
   */
  cpuOps?: number;
  /**
   * Extra Node.js or V8 flags for the child processes of an isolated comparison (every
   * implementation gets the same ones); ignored without `isolate`.
   */
  nodeArgs?: string[];
}

interface Measured {
  value: number;
  /** CPU-seconds used by the measured round. */
  cpu: number;
}

/** In a child process of an isolated comparison: the one (suite, case, impl) to run. */
const child = process.env.CREW_BENCH_CHILD
  ? (JSON.parse(process.env.CREW_BENCH_CHILD) as { suite: string; case: string; impl: string })
  : undefined;
const CHILD_MARK = '@@CREW_BENCH_VALUE@@';

const rows: Row[] = [];

/**
 * Measures every implementation of one case, interleaving rounds. Each function runs
 * one round and returns its measured value (for throughput: call `throughput()`).
 */
export async function compare(
  suite: string,
  caseName: string,
  impls: Record<string, () => Promise<number> | number>,
  options: CompareOptions = {},
): Promise<Row[]> {
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 1;
  const isolate = options.isolate ?? false;
  if (child !== undefined) {
    if (child.suite === suite && child.case === caseName && impls[child.impl] !== undefined) {
      for (let i = 0; i < warmup; i++) await impls[child.impl]!();
      const measured = await measure(impls[child.impl]!);
      process.stdout.write(`\n${CHILD_MARK}${JSON.stringify(measured)}\n`);
    }
    return [];
  }
  const names = Object.keys(impls);
  const values = new Map<string, Measured[]>(names.map((n) => [n, []]));
  for (let round = isolate ? 0 : -warmup; round < rounds; round++) {
    const shift = ((round % names.length) + names.length) % names.length;
    const order = [...names.slice(shift), ...names.slice(0, shift)];
    for (const name of order) {
      const measured = isolate
        ? await inChild(suite, caseName, name, options.nodeArgs ?? [])
        : await measure(impls[name]!);
      if (round >= 0) values.get(name)!.push(measured);
    }
  }
  const made = names.map((impl) => ({
    suite,
    case: caseName,
    impl,
    median: median(values.get(impl)!.map((m) => m.value)),
    unit: options.unit ?? 'ops/s',
    higherIsBetter: options.higherIsBetter ?? true,
    rounds,
  }));
  const cpuOps = options.cpuOps;
  if (cpuOps !== undefined) {
    made.push(
      ...names.map((impl) => ({
        suite,
        case: `${caseName} (per CPU-second)`,
        impl,
        median: median(values.get(impl)!.map((m) => cpuOps / m.cpu)),
        unit: 'ops/cpu-s',
        higherIsBetter: true,
        rounds,
      })),
    );
  }
  rows.push(...made);
  return made;
}

async function measure(fn: () => Promise<number> | number): Promise<Measured> {
  globalThis.gc?.();
  const before = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(before);
  return { value, cpu: (used.user + used.system) / 1e6 };
}

/** Runs one round of one implementation in a fresh process running this same bench file. */
function inChild(
  suite: string,
  caseName: string,
  impl: string,
  nodeArgs: string[],
): Promise<Measured> {
  const script = process.argv[1]!;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--import', 'tsx', script], {
      env: {
        ...process.env,
        CREW_BENCH_JSON: '',
        CREW_BENCH_CHILD: JSON.stringify({ suite, case: caseName, impl }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const at = out.lastIndexOf(CHILD_MARK);
      if (code !== 0 || at < 0) {
        reject(new Error(`${suite} / ${caseName} / ${impl}: child exited ${code}\n${out}`));
        return;
      }
      resolve(JSON.parse(out.slice(at + CHILD_MARK.length)) as Measured);
    });
  });
}

/** Runs `fn` (which performs `ops` operations) once and returns operations per second. */
export async function throughput(ops: number, fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const ns = Number(process.hrtime.bigint() - start);
  return ops / (ns / 1e9);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** All rows measured so far in this process. */
export function collected(): Row[] {
  return rows;
}

/** Prints the rows as one Markdown table; under bench/index.ts, hands them over as JSON instead. */
export function report(title?: string): void {
  if (child !== undefined) return;
  if (process.env.CREW_BENCH_JSON) {
    process.stdout.write(`\n@@ROWS@@${JSON.stringify(rows)}\n`);
    return;
  }
  if (title) console.log(`\n## ${title}\n`);
  console.log(formatTable(rows));
}

export function formatTable(all: Row[]): string {
  const lines = [
    '| suite | case | implementation | median | unit | vs crew |',
    '| --- | --- | --- | ---: | --- | ---: |',
  ];
  for (const row of all) {
    const crew = all.find(
      (r) => r.suite === row.suite && r.case === row.case && r.impl.startsWith('crew'),
    );
    let ratio = '';
    if (crew && crew !== row && row.median > 0 && crew.median > 0) {
      const x = row.higherIsBetter ? crew.median / row.median : row.median / crew.median;
      ratio = `crew ${x.toFixed(2)}×`;
    }
    lines.push(
      `| ${row.suite} | ${row.case} | ${row.impl} | ${format(row.median)} | ${row.unit} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

function format(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(3);
}
