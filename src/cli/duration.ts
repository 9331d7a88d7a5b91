import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `500ms`, `30s`, `1.5m` or `2h` into milliseconds. A bare number
 * is seconds, as in GNU parallel (`--timeout 10` is ten seconds). Throws `UsageError` for
 * anything else, naming the flag.
 */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 's']! : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(
      `Expected \`${flag}\` to be a positive duration such as 500ms, 30s, 2m or 1h, got \`${text}\``,
    );
  }
  return Math.max(1, Math.round(ms));
}
