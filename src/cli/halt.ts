import { UsageError } from './usage-error.js';

/**
 * When to stop a run early (GNU parallel's `--halt`): after `count` failed jobs (`fail=N`) or
 * succeeded jobs (`success=N`). `now` kills running jobs; `soon` lets them finish. Either way no
 * new job starts.
 */
export interface HaltPolicy {
  when: 'now' | 'soon';
  on: 'fail' | 'success';
  count: number;
}

/** Parses `never`, `now,fail=N`, `soon,fail=N`, `now,success=N`, `soon,success=N` (`never` → undefined). */
export function parseHalt(flag: string, text: string): HaltPolicy | undefined {
  if (text === 'never') return undefined;
  const match = /^(now|soon),(fail|success)=(\d+)$/.exec(text.trim());
  const count = match ? Number(match[3]) : NaN;
  if (!match || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(
      `Expected \`${flag}\` to be never, now,fail=N, soon,fail=N, now,success=N or soon,success=N with N ≥ 1, got \`${text}\``,
    );
  }
  return { when: match[1] as 'now' | 'soon', on: match[2] as 'fail' | 'success', count };
}
