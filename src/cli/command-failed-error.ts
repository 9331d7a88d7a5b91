import { CrewError, type CrewErrorCode } from '../index.js';

/** A command that exited with a non-zero status or was ended by a signal. */
export class CommandFailedError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_COMMAND_FAILED';

  /** The exit code, or `null` when a signal ended the command. */
  readonly exitCode: number | null;
  readonly signal: string | null;

  constructor(exitCode: number | null, signal: string | null) {
    super(
      'CREW_COMMAND_FAILED',
      exitCode === null
        ? `The command was ended by ${signal}`
        : `The command exited with ${exitCode}`,
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
