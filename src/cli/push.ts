/**
 * `promwire push`: a payload file (or standard input) to a Pushgateway,
 * under a job and grouping key, with the Pushgateway API's methods (PUT
 * replaces the group, POST replaces the metrics of the same names, DELETE
 * removes the group). The library does the URL rules and the request
 * (src/toolkit/push.ts); this file wires flags to it and prints.
 */
import { encode } from '../encode/encoder.js';
import { setLabel } from '../model/labels.js';
import { type PushMethod, push } from '../toolkit/push.js';
import { UsageError, basicAuthFlag, headerFlags, integerFlag, proxyFlags, tlsFlags, type Flags } from './args.js';
import { formatFlag, parseInput, warner } from './common.js';
import { readInput, type CliIO } from './io.js';

/** Reads repeated `--grouping NAME=VALUE` flags, in order (the order of the URL's path). */
function groupingFlags(flags: Flags): Record<string, string> {
  const v = flags['grouping'];
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const g of v) {
    const i = g.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --grouping '${g}' (expected NAME=VALUE)`, 'push');
    const name = g.slice(0, i);
    if (Object.hasOwn(out, name)) throw new UsageError(`--grouping ${name} given twice`, 'push');
    setLabel(out, name, g.slice(i + 1));
  }
  return out;
}

/**
 * `push [FILE|-] --url URL --job JOB [--grouping NAME=VALUE]... [--method PUT|POST|DELETE] ...`:
 * parses the payload (any format: the format flag, or sniffed), writes it as
 * text 0.0.4 (what every Pushgateway reads; what text cannot hold is said
 * on stderr) and sends it. DELETE reads no payload.
 */
export async function runPush(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const url = flags['url'];
  if (typeof url !== 'string') throw new UsageError('missing --url URL (the Pushgateway, e.g. http://127.0.0.1:9091)', 'push');
  const job = flags['job'];
  if (typeof job !== 'string') throw new UsageError('missing --job JOB', 'push');
  // args.ts checked it against its choices and gave it its default (PUT).
  const method = flags['method'] as PushMethod;
  if (method === 'DELETE' && file !== undefined) throw new UsageError('DELETE sends no payload: give no FILE', 'push');
  const timeout = integerFlag('push', flags, 'timeout', { min: 1, max: 2 ** 31 - 1 });
  const retries = integerFlag('push', flags, 'retries', { min: 0, max: 100 });
  const basicAuth = basicAuthFlag('push', flags);
  const tls = tlsFlags('push', flags);
  const proxy = proxyFlags('push', flags);
  let body: Uint8Array | undefined;
  let families = 0;
  if (method !== 'DELETE') {
    const input = await readInput('push', file, io, undefined, formatFlag(flags));
    const parsed = parseInput(input, flags, io).families;
    families = parsed.length;
    body = encode(parsed, { format: 'text', onWarning: warner(io) });
  }
  const r = await push({
    url,
    job,
    groupingKey: groupingFlags(flags),
    method,
    headers: headerFlags('push', flags),
    ...(body !== undefined ? { body } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(basicAuth !== undefined ? { basicAuth } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
  });
  io.err(
    `promwire: ${r.method} ${r.url}: ${r.status}` +
      (method === 'DELETE' ? '' : `, ${families} ${families === 1 ? 'family' : 'families'}, ${r.bytes} bytes`) +
      (r.attempts > 1 ? ` (${r.attempts} attempts)` : '') +
      '\n',
  );
  return 0;
}
