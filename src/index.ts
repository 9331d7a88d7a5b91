// The public API of `crew`: re-exports only.
export {
  CrewError,
  InvalidOptionError,
  ChannelClosedError,
  PoolClosedError,
  TaskTimeoutError,
  ThreadCrashError,
} from './errors.js';
export type { CrewErrorCode } from './errors.js';
