import { CrewError } from '../index.js';

/**
 * The reason a job that had not started yet never will: the run is stopping (a first Ctrl-C,
 * or `--halt`). Such a job is neither a success nor a failure, and is not recorded, so a
 * `--resume` runs it.
 */
export class StoppedError extends CrewError {
  constructor() {
    super('CREW_CLI_STOPPED', 'The run is stopping; this job was not started');
  }
}
