// The public API of `crew`: re-exports only.
export {
  CrewError,
  InvalidOptionError,
  ChannelClosedError,
  PoolClosedError,
  TaskTimeoutError,
  ThreadCrashError,
  NegativeCounterError,
  SemaphoreWeightError,
  InvalidModuleError,
} from './errors.js';
export type { CrewErrorCode } from './errors.js';
export { Channel } from './channel.js';
export type { ReceiveResult, WaitOptions } from './channel.js';
export { select, trySelect, after } from './select.js';
export type {
  ReceiveCase,
  SendCase,
  AfterCase,
  SelectCase,
  SelectCases,
  SelectResult,
} from './select.js';
export { WaitGroup } from './wait-group.js';
export { Group } from './group.js';
export type { GroupOptions, GroupFunction } from './group.js';
export { Semaphore } from './semaphore.js';
export { Pool } from './pool/pool.js';
export type { MapOptions } from './pool/pool.js';
export type { PoolOptions, TaskOptions, RetryOptions, RateLimitOptions } from './pool/options.js';
export type { Task, Result, Handler, HandlerContext } from './pool/task.js';
export type { PoolStats, DurationSummary } from './pool/stats.js';
export type { PoolEvents, PoolEventListener } from './pool/events.js';
