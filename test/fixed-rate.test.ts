/**
 * The fixed-rate clock of Pusher and RemoteWriter (src/toolkit/fixed-rate.ts):
 * ticks on the grid start + k * interval, ticks missed while the process was
 * busy skipped with the phase kept, nothing after stop().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedRate, nextTick } from '../src/toolkit/fixed-rate.js';

describe('nextTick', () => {
  it('is one interval on when that is still ahead', () => {
    expect(nextTick(1000, 100, 1050)).toBe(1100);
    expect(nextTick(1000, 100, 1099)).toBe(1100);
  });
  it('skips to the first grid point after now when ticks were missed', () => {
    expect(nextTick(1000, 100, 1100)).toBe(1200);
    expect(nextTick(1000, 100, 1350)).toBe(1400);
    expect(nextTick(1000, 100, 1399)).toBe(1400);
    expect(nextTick(1000, 100, 1400)).toBe(1500);
    expect(nextTick(1000, 30, 1000 + 30 * 1000 + 7)).toBe(1000 + 30 * 1001);
  });
});

describe('FixedRate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(10_000);
  });
  afterEach(() => vi.useRealTimers());

  it('ticks at start and on every interval after it', () => {
    const at: number[] = [];
    const clock = new FixedRate(100, () => at.push(Date.now()), false);
    clock.start(true);
    vi.advanceTimersByTime(350);
    expect(at).toEqual([10_000, 10_100, 10_200, 10_300]);
    clock.stop();
  });

  it('waits one interval first when not immediate', () => {
    const at: number[] = [];
    const clock = new FixedRate(100, () => at.push(Date.now()), false);
    clock.start(false);
    vi.advanceTimersByTime(250);
    expect(at).toEqual([10_100, 10_200]);
    clock.stop();
  });

  it('skips the ticks a busy tick overran, keeping the phase', () => {
    const at: number[] = [];
    const clock = new FixedRate(
      100,
      () => {
        at.push(Date.now());
        // The second tick blocks the event loop for 250 ms.
        if (at.length === 2) vi.setSystemTime(Date.now() + 250);
      },
      false,
    );
    clock.start(true);
    // The timers' clock moves 350 ms; Date.now() 600 with the jump.
    vi.advanceTimersByTime(350);
    // 10_100 ran to 10_350: the tick due at 10_200 runs once, late; 10_300 is
    // skipped, not bunched up; then the grid goes on.
    expect(at).toEqual([10_000, 10_100, 10_351, 10_400, 10_500, 10_600]);
    clock.stop();
  });

  it('starts once: a second start() and a start() after stop() do nothing', () => {
    let n = 0;
    const clock = new FixedRate(100, () => n++, false);
    clock.start(true);
    clock.start(true);
    vi.advanceTimersByTime(350);
    expect(n).toBe(4);
    clock.stop();
    clock.start(true);
    vi.advanceTimersByTime(350);
    expect(n).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ticks no more after stop, even from inside a tick', () => {
    let n = 0;
    const clock = new FixedRate(
      100,
      () => {
        if (++n === 3) clock.stop();
      },
      false,
    );
    clock.start(true);
    vi.advanceTimersByTime(1000);
    expect(n).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
