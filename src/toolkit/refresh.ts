/**
 * The one way the toolkit brings a source's values up to date before it
 * reads them: a `MetricSet`'s `refresh()` runs its metrics' collect
 * callbacks (async ones too). No Node modules here.
 */

/** Awaits every source's refresh(), all at once (a slow one does not hold the others back). */
export async function refreshAll(sources: ReadonlyArray<{ refresh?(): void | Promise<void> }>): Promise<void> {
  const pending: Array<void | Promise<void>> = [];
  for (const m of sources) if (typeof m.refresh === 'function') pending.push(m.refresh());
  if (pending.length > 0) await Promise.all(pending);
}
