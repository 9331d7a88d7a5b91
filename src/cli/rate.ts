import { parseDuration } from './duration.js';
import { UsageError } from './usage-error.js';

/** At most `limit` job starts per `interval` milliseconds: the Pool's `rateLimit` option. */
export interface Rate {
  limit: number;
  interval: number;
}

const PER: Record<string, number> = { s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses a rate such as `10/s`, `100/m`, `5000/h` or `3/500ms` (a count, a slash, and a unit
 * or a duration). Throws `UsageError` for anything else.
 */
export function parseRate(flag: string, text: string): Rate {
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(text.trim());
  const limit = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(
      `Expected \`${flag}\` to be a rate such as 10/s, 100/m or 3/500ms, got \`${text}\``,
    );
  }
  const unit = match[2]!.trim();
  return { limit, interval: PER[unit] ?? parseDuration(flag, unit) };
}
