/**
 * The fixed-rate clock of the periodic senders (`Pusher`, `RemoteWriter`):
 * ticks fall on the grid `start + k * interval`, however long the work of a
 * tick takes. A tick that comes late (the event loop was busy, or the work
 * of a tick ran past several intervals) runs once, late; the ticks missed
 * after it are skipped, and the next one is the next grid point. No burst of
 * catch-up ticks, and the phase is kept. Whether a tick's work may overlap
 * the previous one's is the owner's decision (both skip the tick).
 */

export class FixedRate {
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private nextAt = 0;
  private started = false;
  private stopped = false;

  /**
   * @param interval milliseconds between ticks (the owner has checked it is a positive finite number)
   * @param onTick the tick's work; called from the timer, never reentrantly
   * @param unref let the process exit while only this timer is pending
   */
  constructor(
    private readonly interval: number,
    private readonly onTick: () => void,
    private readonly unref: boolean,
  ) {}

  /** Starts the clock: the first tick now (`immediate`) or one interval from now. Once only: later calls, and calls after stop(), do nothing. */
  start(immediate: boolean): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.nextAt = Date.now() + (immediate ? 0 : this.interval);
    this.schedule();
  }

  /** No tick after this; a tick already running finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextAt - Date.now()));
    if (this.unref) this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.nextAt = nextTick(this.nextAt, this.interval, Date.now());
    this.onTick();
    if (!this.stopped) this.schedule();
  }
}

/**
 * The tick after the one due at `due`: `due + interval`, or, when that has
 * passed by `now`, the first grid point `due + k * interval` after `now`.
 */
export function nextTick(due: number, interval: number, now: number): number {
  const next = due + interval;
  return next > now ? next : next + Math.ceil((now - next + 1) / interval) * interval;
}
