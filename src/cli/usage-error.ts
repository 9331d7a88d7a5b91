import { CrewError, type CrewErrorCode } from '../index.js';

/**
 * Bad usage of the `crew` command: an unknown flag, a malformed value, a missing module or
 * input file. `crew` prints its message as one line on stderr and exits with status 2,
 * before any job starts.
 */
export class UsageError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_CLI_USAGE';

  constructor(message: string) {
    super('CREW_CLI_USAGE', message);
  }
}
