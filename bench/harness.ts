/**
 * The side-by-side benchmark harness. Every implementation of a case runs in the
 * same process, rounds interleaved (the order rotates each round) so that noise on
 * this shared machine falls on all of them alike; the table reports medians and
 * each one's ratio to crew.
 *
 * A bench file calls `compare()` once per case and `report()` at the end. Run alone
 * (`node --import tsx bench/pool.ts`) it prints its table; under `npm run bench`
 * (bench/index.ts) the rows are gathered into one table.
 */

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
  /** Untimed rounds first, so the JIT has warmed up; default 1. */
  warmup?: number;
}

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
  const names = Object.keys(impls);
  const values = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = -warmup; round < rounds; round++) {
    const shift = ((round % names.length) + names.length) % names.length;
    const order = [...names.slice(shift), ...names.slice(0, shift)];
    for (const name of order) {
      globalThis.gc?.();
      const value = await impls[name]!();
      if (round >= 0) values.get(name)!.push(value);
    }
  }
  const made = names.map((impl) => ({
    suite,
    case: caseName,
    impl,
    median: median(values.get(impl)!),
    unit: options.unit ?? 'ops/s',
    higherIsBetter: options.higherIsBetter ?? true,
    rounds,
  }));
  rows.push(...made);
  return made;
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
