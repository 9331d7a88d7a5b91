// The public API of `crew/threads`: re-exports only.
export { ThreadPool } from './thread-pool.js';
export type { ThreadPoolStats } from './thread-pool.js';
export type { ThreadPoolOptions, ThreadTaskOptions, ThreadRange } from './options.js';
export type { ThreadStats } from './thread.js';
export { transfer } from './transfer.js';
export { InvalidModuleError, ThreadCrashError, TaskTimeoutError } from '../errors.js';
