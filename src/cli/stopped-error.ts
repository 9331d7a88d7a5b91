import { CrewError, type CrewErrorCode } from '../index.js';

/**
 * The reason a job that had not started yet never will: the run is stopping (a first Ctrl-C,
 * or `--halt`). Such a job is neither a success nor a failure, and is not recorded, so a
 * `--resume` runs it.
 */
export class StoppedError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_CLI_STOPPED';

  constructor() {
    super('CREW_CLI_STOPPED', 'The run is stopping; this job was not started');
  }
}

/**
 * The reason a running job was stopped: a second Ctrl-C, or `--halt now`. The job counts as
 * failed (its command's process group was killed), so a `--resume` runs it again.
 */
export class InterruptedError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_CLI_INTERRUPTED';

  constructor() {
    super('CREW_CLI_INTERRUPTED', 'The job was stopped because the run was interrupted or halted');
  }
}
