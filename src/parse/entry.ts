/**
 * The entry kinds the pull parser returns, as Prometheus' textparse
 * `interface.go` defines them (`EntryType`, `EntryHelp`, ...): `Parser.next()`
 * returns one, and the accessors valid for it are listed with each kind.
 */

/** The kinds of entry `Parser.next()` returns. */
export const Entry = {
  /** End of input (or, when streaming, of the bytes fed so far). */
  EOF: 0,
  /** A sample: metricName(), labels, value(), timestamp(), startTimestamp(), exemplar(). */
  Series: 1,
  /** `# HELP`: familyName(), help(). */
  Help: 2,
  /** `# TYPE`: familyName(), type(). */
  Type: 3,
  /** `# UNIT` (OpenMetrics): familyName(), unit(). */
  Unit: 4,
  /** Any other comment line (text 0.0.4 only): comment(). */
  Comment: 5,
  /**
   * A native histogram (protobuf; textparse EntryHistogram): metricName(),
   * labels, histogram(), timestamp(), startTimestamp(), exemplars().
   */
  Histogram: 6,
} as const;
export type Entry = (typeof Entry)[keyof typeof Entry];

const ENTRY_NAMES = ['EOF', 'Series', 'Help', 'Type', 'Unit', 'Comment', 'Histogram'];

/** The name of an entry kind, for messages and debugging. */
export function entryName(e: Entry): string {
  return ENTRY_NAMES[e] ?? String(e);
}
