/** What the progress line shows. */
export interface ProgressState {
  /** Jobs finished (succeeded or failed), this run. */
  done: number;
  failed: number;
  /** Jobs skipped because the job log shows they succeeded before (`--resume`). */
  skipped: number;
  running: number;
  /** All inputs, once the input has ended; `undefined` while it is still being read. */
  total: number | undefined;
  /** Milliseconds since the run started. */
  elapsed: number;
}

const BAR = 20;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/**
 * Renders the progress line, e.g.
 * `[#########-----------] 412/1000 41% | 3 failed | 8 running | 58.2/s | ETA 10s`.
 * Without a known total it shows the count and rate only. The line is cut to `width`.
 */
export function renderProgress(state: ProgressState, width: number): string {
  const { done, failed, skipped, running, total, elapsed } = state;
  const rate = elapsed > 0 ? done / (elapsed / 1000) : 0;
  const parts: string[] = [];
  if (total !== undefined) {
    const todo = Math.max(total - skipped, 0);
    const fraction = todo === 0 ? 1 : Math.min(done / todo, 1);
    const filled = Math.round(fraction * BAR);
    parts.push(
      `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${done}/${todo} ${Math.floor(fraction * 100)}%`,
    );
  } else {
    parts.push(`${done} done`);
  }
  if (failed > 0) parts.push(`${failed} failed`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  parts.push(`${running} running`);
  parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`);
  if (total !== undefined && done > 0) {
    const left = Math.max(total - skipped - done, 0);
    parts.push(`ETA ${formatSeconds(rate > 0 ? left / rate : Infinity)}`);
  }
  const line = parts.join(' | ');
  return line.length > width ? line.slice(0, Math.max(width - 1, 0)) : line;
}

/**
 * The live progress line on stderr. It redraws at most every `interval` ms (on a timer that
 * never keeps the process alive); `clear()` takes it off the screen so a job's output can be
 * printed, and the next redraw puts it back under that output.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #read: () => ProgressState;
  readonly #timer: NodeJS.Timeout;
  #shown = false;

  constructor(stream: NodeJS.WriteStream, read: () => ProgressState, interval = 100) {
    this.#stream = stream;
    this.#read = read;
    this.#timer = setInterval(() => this.draw(), interval);
    this.#timer.unref();
  }

  draw(): void {
    const width = this.#stream.columns > 0 ? this.#stream.columns : 80;
    this.#stream.write(`\r\x1b[K${renderProgress(this.#read(), width)}`);
    this.#shown = true;
  }

  clear(): void {
    if (!this.#shown) return;
    this.#stream.write('\r\x1b[K');
    this.#shown = false;
  }

  /** Draws the final state and ends the line. */
  stop(): void {
    clearInterval(this.#timer);
    this.draw();
    this.#stream.write('\n');
  }
}
