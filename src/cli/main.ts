#!/usr/bin/env node
/**
 * The `crew` command. `crew run` is the batch runner (see `crew run --help`); everything it
 * does goes through crew's public API, as a user's own script would.
 *
 * Exit status: what the command reports (for `crew run`, the number of failed jobs, at most
 * 101); 2 for bad usage, with one line on stderr; 255 when crew itself fails.
 */
import { readFileSync } from 'node:fs';
import { HELP, RUN_HELP, parseRunArgs } from './args.js';
import { run } from './run.js';
import { UsageError } from './usage-error.js';

function version(): string {
  // The same two levels up from src/cli/main.ts and from dist/cli/main.js.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    case 'help':
      process.stdout.write(rest[0] === 'run' ? RUN_HELP : HELP);
      return 0;
    case '-v':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'run': {
      const args = parseRunArgs(rest);
      if (args === 'help') {
        process.stdout.write(RUN_HELP);
        return 0;
      }
      return run(args);
    }
    default:
      throw new UsageError(`Unknown command \`${command}\`; try \`crew --help\``);
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`crew: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `crew: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(255);
  },
);
