import { inspect } from 'node:util';

/** A module handler's value as printed: strings as they are, anything else as JSON; a newline ends it. */
export function formatValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? describe(value);
    } catch {
      text = describe(value);
    }
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** An argv as a shell would need it typed, for `--dry-run`: plain words bare, the rest single-quoted. */
export function quoteArgv(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** What JSON cannot show (a BigInt, a function, a symbol, a cycle), as Node.js shows it. */
function describe(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity });
}
