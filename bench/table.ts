/** What a measured case gives, and the number formats of the tables (shared by bench/run.ts and the row modules). */
import type { Case } from './cases.js';

export interface Result {
  c: Case;
  /** Median ms per run, or null when not timed. */
  ms: number | null;
  runs: number;
  note: string;
  error: string | null;
  allocPerRun: number | null;
  /** Longest gap between two turns of the event loop during the stall runs. */
  stallMs: number | null;
  /** Chunked path: the longest single chunk (synchronous time of one `next()`). */
  chunkMs: number | null;
}

export const MB = 1e6;

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The middle value of `xs` (the upper middle when even). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export function ratio(a: number, b: number): string {
  const r = a / b;
  return r >= 10 ? `${fmt(r, 0)}x` : `${fmt(r, r >= 1 ? 1 : 2)}x`;
}
