/**
 * Command-line arguments: the command table, per-command usage text and a
 * strict parser over `node:util` parseArgs. No format logic here.
 */
import { parseArgs } from 'node:util';
import { ESCAPING_SCHEMES } from '../core/names.js';
import { setLabel } from '../model/labels.js';
import { parseProxyUrl } from '../toolkit/http.js';
import type { ProxyOption, TlsOptions } from '../toolkit/http.js';

/** A mistake in the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage to print, or undefined for the top-level usage. */
  readonly command: CommandName | undefined;
  constructor(message: string, command?: CommandName) {
    super(message);
    this.command = command;
  }
}

export type CommandName = 'parse' | 'inspect' | 'convert' | 'lint' | 'scrape' | 'serve' | 'push' | 'merge' | 'remote-write' | 'receive';

type OptionSpec =
  | { type: 'boolean'; short?: string }
  | { type: 'string'; short?: string; multiple?: boolean; choices?: readonly string[]; default?: string };

interface CommandSpec {
  /** One-line synopsis, after `promwire `. */
  synopsis: string;
  summary: string;
  /** Option lines for the help text. */
  help: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments: minimum and maximum count, and their names for messages. */
  positionals: { min: number; max: number; names: string[] };
}

const FORMATS = ['auto', 'text', 'openmetrics', 'protobuf'] as const;
const OUT_FORMATS = ['text', 'openmetrics', 'protobuf'] as const;
const RW_VERSIONS = ['1.0', '2.0'] as const;

/** How the JSON form shows a native histogram (parse --json, scrape --json). */
const NATIVE_JSON_HELP = `  A native histogram sample's "value" is an object:
    {"kind":"integer"|"float","schema":N,"zero_threshold":"F","zero_count":N,"count":N,"sum":"F",
     "positive_spans":[{"offset":N,"length":N}...],"positive_buckets":[N...],
     "negative_spans":[...],"negative_buckets":[...],"custom_values":["F"...] (schema -53 only)}
  buckets are absolute counts (not protobuf's deltas), one per bucket the spans cover;
  "F" values are strings as Prometheus spells floats (NaN, +Inf); a count N is a number,
  or such a string when a float histogram's count is infinite or NaN.`;

/** Where binary output may go. */
const BINARY_OUT_HELP = `  -o, --output FILE  write the output to FILE instead of stdout; protobuf output goes to
                     stdout only when it is not a terminal (a pipe or a redirect)`;
const ESCAPINGS = ESCAPING_SCHEMES;

/** TLS and proxy options of the commands that make requests (names after Prometheus' tls_config and proxy_url). */
const CONNECTION_HELP = `  --ca-file FILE     verify the server's certificate with the CA certificate(s) in FILE (PEM)
                     instead of Node's built-in roots
  --cert-file FILE   client certificate (PEM) for mutual TLS, with --key-file
  --key-file FILE    private key (PEM) of the client certificate
  --server-name N    name to send (SNI) and to verify the certificate against (default: the URL's host)
  --insecure-skip-verify  accept any server certificate (testing only)
  --proxy URL        send through this HTTP proxy (http://[user:pass@]host:port; its user:pass go to
                     the proxy alone): https: URLs through a CONNECT tunnel, http: URLs in absolute form
  --proxy-from-environment  use HTTP_PROXY, HTTPS_PROXY and NO_PROXY (as Go and Prometheus'
                     proxy_from_environment read them; never for localhost or 127.0.0.0/8); without
                     it or --proxy the environment is not read`;
const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  'server-name': { type: 'string' },
  'insecure-skip-verify': { type: 'boolean' },
  proxy: { type: 'string' },
  'proxy-from-environment': { type: 'boolean' },
};

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  parse: {
    synopsis: 'parse [FILE|-] [--format auto|text|openmetrics|protobuf] [--json]',
    summary: 'parse a payload; --json prints its families as JSON (one family per line)',
    help: `  --format F   payload format: auto (default: protobuf when it starts as delimited MetricFamily
               messages, else OpenMetrics when it ends with "# EOF", else text), text, openmetrics, protobuf
  --json       print the families as a JSON array, one family per line (see README, "parse --json")
  --lenient    skip bad lines, reporting each on stderr (exit status 1 if any was skipped)
  --body-limit BYTES  stop reading past this many bytes (default: the parser's maxBodyBytes, 1 GiB)
  Without --json, prints one line per family: type, name, sample count and help.
${NATIVE_JSON_HELP}`,
    options: {
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      json: { type: 'boolean' },
      lenient: { type: 'boolean' },
      'body-limit': { type: 'string' },
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  inspect: {
    synopsis: 'inspect [FILE|-] [--format auto|text|openmetrics|protobuf] [--json] [--bench]',
    summary: 'report format, families by type, series and samples, native histograms, top 10 families by series',
    help: `  --format F   payload format: auto (default), text, openmetrics, protobuf
  --json       print the report as one JSON object instead of text (the same bytes on every
               run unless --bench is given)
  --bench      also time promwire's parsers on the payload (several parses: MB/s, samples/s)
  On a terminal, a payload that takes more than 1.5 s shows its progress on stderr.`,
    options: {
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      json: { type: 'boolean' },
      bench: { type: 'boolean' },
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  convert: {
    synopsis: 'convert [FILE|-] --to text|openmetrics|protobuf [--from auto|text|openmetrics|protobuf] [--escaping SCHEME] [-o FILE]',
    summary: 'parse a payload and write it again in the chosen format',
    help: `  --to F       output format: text (0.0.4), openmetrics (1.0) or protobuf (delimited
               MetricFamily messages); required
  --from F     input format: auto (default), text, openmetrics, protobuf
  --escaping S how to write names outside the legacy character set (Prometheus 3):
               allow-utf-8 (default: quoted, lossless), underscores, dots, values
${BINARY_OUT_HELP}
  What the output format cannot hold (a native histogram in text or OpenMetrics 1.0) is
  said on stderr, once per family.`,
    options: {
      to: { type: 'string', choices: OUT_FORMATS },
      output: { type: 'string', short: 'o' },
      from: { type: 'string', choices: FORMATS, default: 'auto' },
      escaping: { type: 'string', choices: ESCAPINGS, default: 'allow-utf-8' },
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  lint: {
    synopsis: 'lint [FILE|-] [--format auto|text|openmetrics|protobuf] [--structural]',
    summary: 'check metrics as `promtool check metrics` 3.5.3 does: exit 0 clean, 3 findings, 1 unreadable',
    help: `  --format F     payload format: auto (default), text, openmetrics, protobuf
  --structural   also report what promtool does not check: duplicate series
                 Prometheus rejects, samples outside their family, malformed
                 buckets and quantiles, negative counters
  Prints one finding a line, starting with the metric name. Exits 1 where
  promtool 3.5.3 cannot read the payload: a name outside the legacy
  character set, a family's HELP or TYPE line repeated.`,
    options: {
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      structural: { type: 'boolean' },
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  scrape: {
    synopsis:
      'scrape URL [--json | --to text|openmetrics|protobuf] [--format auto|text|openmetrics|protobuf] [--protocols P,...] [--timeout MS] [--header "K: V"]... [--user USER:PASS] [--body-limit BYTES] [-o FILE] [TLS and proxy options] [--remote-write URL [--rw-version 1.0|2.0] [--rw-fallback]]',
    summary: 'fetch a /metrics endpoint as Prometheus does and print what it served, or forward it as remote write',
    help: `  --json             print the families as JSON, as parse --json does
  --to F             print them re-encoded as text, openmetrics or protobuf (default: the format served)
  --format F         the format to ask for: auto (default: Prometheus' own Accept header, OpenMetrics
                     preferred), text, openmetrics or protobuf; the answer's Content-Type decides how
                     it is read
  --protocols P,...  ask as Prometheus does with scrape_protocols set to this list, e.g.
                     PrometheusProto,OpenMetricsText1.0.0,OpenMetricsText0.0.1,PrometheusText1.0.0,PrometheusText0.0.4
                     (what Prometheus 3.5 asks with native histograms enabled); overrides --format
  --timeout MS       give up after MS milliseconds (default 10000)
  --header "K: V"    add a request header (repeatable)
  --user USER:PASS   HTTP basic auth
  --body-limit BYTES refuse a body larger than this (default: the parser's maxBodyBytes)
${BINARY_OUT_HELP}
${CONNECTION_HELP}
  --remote-write URL send what was scraped to this remote-write URL (e.g. a Prometheus' /api/v1/write,
                     VictoriaMetrics' /api/v1/write, Mimir's /api/v1/push), samples stamped with the
                     scrape's time; then nothing is printed on stdout unless --json or --to is given
                     (native histograms come only in protobuf: add --format protobuf)
  --rw-version V     remote write 1.0 (default: every receiver reads it) or 2.0
  --rw-fallback      with 2.0: send again as 1.0 when the receiver answers without 2.0's written counts
  Prints the format and Content-Type received on stderr (and what the remote-write receiver said).`,
    options: {
      'remote-write': { type: 'string' },
      'rw-version': { type: 'string', choices: RW_VERSIONS },
      'rw-fallback': { type: 'boolean' },
      json: { type: 'boolean' },
      to: { type: 'string', choices: OUT_FORMATS },
      output: { type: 'string', short: 'o' },
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      protocols: { type: 'string' },
      timeout: { type: 'string' },
      header: { type: 'string', multiple: true },
      user: { type: 'string' },
      'body-limit': { type: 'string' },
      ...CONNECTION_OPTIONS,
    },
    positionals: { min: 1, max: 1, names: ['URL'] },
  },
  serve: {
    synopsis:
      'serve FILE --port N [--path P] [--host H] [--user USER:PASS] [--label NAME=VALUE]... [--format auto|text|openmetrics|protobuf]',
    summary: 'serve a payload file as an exporter would (re-read on every scrape)',
    help: `  --port N           TCP port (0 picks a free one; the address is printed on stderr); required
  --path P           path to serve (default /metrics)
  --host H           address to listen on (default 127.0.0.1)
  --user USER:PASS   require HTTP basic auth
  --label N=V        add this label to every series that lacks it (repeatable)
  --format F         format of FILE: auto (default), text, openmetrics, protobuf
  Negotiates text 0.0.4, OpenMetrics or protobuf from Accept as client_golang does (or
  ?format=prometheus|openmetrics|protobuf), gzips when asked. What a scraper's format cannot
  hold (native histograms asked for as text) is said on stderr once per family.
  Stops on SIGINT or SIGTERM.`,
    options: {
      port: { type: 'string' },
      path: { type: 'string', default: '/metrics' },
      host: { type: 'string', default: '127.0.0.1' },
      user: { type: 'string' },
      label: { type: 'string', multiple: true },
      format: { type: 'string', choices: FORMATS, default: 'auto' },
    },
    positionals: { min: 1, max: 1, names: ['FILE'] },
  },
  push: {
    synopsis:
      'push [FILE|-] --url URL --job JOB [--grouping NAME=VALUE]... [--method PUT|POST|DELETE] [--format auto|text|openmetrics|protobuf] [--header "K: V"]... [--user USER:PASS] [--timeout MS] [--retries N] [TLS and proxy options]',
    summary: 'push a payload file to a Pushgateway under a job and grouping key (or delete the group)',
    help: `  --url URL          the Pushgateway, e.g. http://127.0.0.1:9091 (a path prefix is kept); required
  --job JOB          the job name (may hold "/": sent base64-encoded, as the Pushgateway API says); required
  --grouping N=V     a further grouping label, e.g. instance=host-1 (repeatable, in URL order)
  --method M         PUT (default: replace every metric of the group), POST (replace only the
                     metrics of the same names), DELETE (remove the group; no FILE)
  --format F         format of FILE: auto (default), text, openmetrics, protobuf; it is sent as
                     text 0.0.4, and what text cannot hold (native histograms) is said on stderr
  --header "K: V"    add a request header (repeatable)
  --user USER:PASS   HTTP basic auth (sent to the gateway's origin only)
  --timeout MS       give up on one attempt after MS milliseconds (default 10000)
  --retries N        attempts after a network error, a timeout, a 5xx or a 429 (default 0)
${CONNECTION_HELP}
  Prints the URL and the gateway's status on stderr; a refusal (400: an inconsistent
  payload) exits 1 with the gateway's message.`,
    options: {
      url: { type: 'string' },
      job: { type: 'string' },
      grouping: { type: 'string', multiple: true },
      method: { type: 'string', choices: ['PUT', 'POST', 'DELETE'], default: 'PUT' },
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      header: { type: 'string', multiple: true },
      user: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      ...CONNECTION_OPTIONS,
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  merge: {
    synopsis:
      'merge [FILE...] [--node NAME=FILE]... [--mode unaggregated|aggregated] [--node-label L] [--consistent M,...] [--status M,...] [--per-node M,...] [--to text|openmetrics|protobuf] [-o FILE]',
    summary: "merge several nodes' payloads into one cluster view (every node's series with a node label, or their sum)",
    help: `  FILE...            a node's payload each, named after the file (n1.prom is node "n1")
  --node NAME=FILE   a node's payload under this name (repeatable; FILE may be "-" for stdin)
  --mode M           unaggregated (default: every node's series, with node="NAME") or
                     aggregated (the cluster's sum, series by series; see README "Cluster views")
  --node-label L     the label naming the node (default node)
  --consistent M,... families every node reports alike: passed through once, without the node label
  --status M,...     aggregated: 0/1 families combined with AND
  --per-node M,...   aggregated: families kept per node, with the node label
  --format F         format of the inputs: auto (default, each sniffed), text, openmetrics, protobuf
  --to F             output format (default: the first input's)
${BINARY_OUT_HELP}
  What the merge or the output format drops (summary quantiles when summed, native
  histograms in text) is said on stderr, once per family.`,
    options: {
      node: { type: 'string', multiple: true },
      mode: { type: 'string', choices: ['unaggregated', 'aggregated'], default: 'unaggregated' },
      'node-label': { type: 'string' },
      consistent: { type: 'string', multiple: true },
      status: { type: 'string', multiple: true },
      'per-node': { type: 'string', multiple: true },
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      to: { type: 'string', choices: OUT_FORMATS },
      output: { type: 'string', short: 'o' },
    },
    positionals: { min: 0, max: Number.POSITIVE_INFINITY, names: ['FILE...'] },
  },
  'remote-write': {
    synopsis:
      'remote-write [FILE|-] --url URL [--version 1.0|2.0] [--format auto|text|openmetrics|protobuf] [--header "K: V"]... [--user USER:PASS | --bearer-token T] [--timeout MS] [--retries N] [--max-samples N] [--timestamp MS] [--fallback]',
    summary: 'send a payload file to a remote-write receiver (Prometheus, Mimir, Thanos, Cortex, VictoriaMetrics)',
    help: `  --url URL          the receiver, e.g. http://127.0.0.1:9090/api/v1/write; required
  --version V        remote write 1.0 (default: every receiver reads it) or 2.0 (symbols, metadata,
                     start timestamps; the receiver must answer with its written counts)
  --fallback         with 2.0: send again as 1.0 when the receiver answers without them
  --format F         format of FILE: auto (default), text, openmetrics, protobuf
  --header "K: V"    add a request header, e.g. "X-Scope-OrgID: tenant-1" (repeatable)
  --user USER:PASS   HTTP basic auth
  --bearer-token T   Authorization: Bearer T
  --timeout MS       give up on one attempt after MS milliseconds (default 30000)
  --retries N        attempts after a 5xx, a 429 or a network error, with backoff (default 3);
                     any other 4xx fails at once with the receiver's message
  --max-samples N    samples per request (default 2000, Prometheus' max_samples_per_send)
  --timestamp MS     timestamp for samples that have none (default: now)
  Prints what was sent and the receiver's answer on stderr.`,
    options: {
      url: { type: 'string' },
      version: { type: 'string', choices: RW_VERSIONS, default: '1.0' },
      fallback: { type: 'boolean' },
      format: { type: 'string', choices: FORMATS, default: 'auto' },
      header: { type: 'string', multiple: true },
      user: { type: 'string' },
      'bearer-token': { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'max-samples': { type: 'string' },
      timestamp: { type: 'string' },
    },
    positionals: { min: 0, max: 1, names: ['FILE'] },
  },
  receive: {
    synopsis: 'receive --listen HOST:PORT [--path P] [--json] [--versions 1.0,2.0] [--max-requests N] [--max-decoded-bytes N]',
    summary: 'receive remote write (1.0 and 2.0) and print every request that arrives',
    help: `  --listen HOST:PORT address to listen on, e.g. 127.0.0.1:9201 (port 0 picks a free one; the
                     address is printed on stderr); required
  --path P           answer only this path (default: any path)
  --json             print each request's families as JSON, one family a line, in the form of
                     parse --json (type, help and unit from the request's metadata)
  --versions V       the messages accepted: 1.0, 2.0 or 1.0,2.0 (default); others are answered 415
  --max-requests N   stop after N requests
  --max-decoded-bytes N  refuse (400) a request that declares more decoded bytes (default 33554432,
                     Prometheus' limit), before decompressing it
  Without --json, prints a line per request, then per series its metadata and one line per sample:
  name{labels} value timestamp_ms (a native histogram's value as parse --json's object).
  Answers as Prometheus 3.5 does: 204 (2.0: with the written counts), 400 for a corrupt body,
  415 for an unknown message; refusals are said on stderr. Stops on SIGINT or SIGTERM.
  Point a Prometheus at it with remote_write: [{url: http://HOST:PORT/api/v1/write}]
  (add protobuf_message: io.prometheus.write.v2.Request for 2.0).`,
    options: {
      listen: { type: 'string' },
      path: { type: 'string' },
      json: { type: 'boolean' },
      versions: { type: 'string' },
      'max-requests': { type: 'string' },
      'max-decoded-bytes': { type: 'string' },
    },
    positionals: { min: 0, max: 0, names: [] },
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** The top-level usage text. */
export function usage(): string {
  const lines = ['Usage: promwire <command> [options]', '', 'Commands:'];
  for (const name of COMMAND_NAMES) lines.push(`  ${name.padEnd(12)} ${COMMANDS[name].summary}`);
  lines.push(
    '',
    'FILE may be "-" or absent to read standard input.',
    'Exit status: 0 success, 1 invalid payload or failure, 2 usage error, 3 lint findings.',
    '',
    'Options: --help (also after a command), --version',
  );
  return lines.join('\n') + '\n';
}

/** The usage text of one command. */
export function commandUsage(name: CommandName): string {
  const c = COMMANDS[name];
  // Align "--help" with the descriptions of the command's own options.
  const width = /^ {2}--\S+(?: \S+)? +/.exec(c.help)?.[0].length ?? 15;
  return `Usage: promwire ${c.synopsis}\n\n${c.summary}\n\n${c.help}\n${'  --help'.padEnd(width)}show this help\n`;
}

export type Flags = Record<string, string | boolean | string[] | undefined>;

export type Invocation =
  | { kind: 'help'; command: CommandName | undefined }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandName; positionals: string[]; flags: Flags };

/** Parses argv (without `node` and the script). Throws `UsageError`. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const first = argv[0];
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = argv[1];
    if (topic !== undefined && isCommand(topic)) return { kind: 'help', command: topic };
    return { kind: 'help', command: undefined };
  }
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (expected a command first)`);
  if (!isCommand(first)) {
    throw new UsageError(`unknown command '${first}' (expected one of: ${COMMAND_NAMES.join(', ')})`);
  }
  const spec = COMMANDS[first];
  const rest = argv.slice(1);
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', command: first };

  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [k, o] of Object.entries(spec.options)) {
    options[k] = { type: o.type };
    if (o.type === 'string' && o.multiple === true) options[k].multiple = true;
    if (o.short !== undefined) options[k].short = o.short;
  }
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as {
      values: Flags;
      positionals: string[];
    };
  } catch (e) {
    throw new UsageError(describeParseArgsError(e), first);
  }
  const flags: Flags = { ...parsed.values };
  for (const [k, o] of Object.entries(spec.options)) {
    if (o.type !== 'string') continue;
    const v = flags[k];
    if (v === undefined && o.default !== undefined) flags[k] = o.default;
    if (typeof v === 'string' && o.choices !== undefined && !o.choices.includes(v)) {
      throw new UsageError(`invalid value '${v}' for --${k} (expected one of: ${o.choices.join(', ')})`, first);
    }
  }
  const { min, max, names } = spec.positionals;
  const pos = parsed.positionals;
  if (pos.length < min) throw new UsageError(`missing ${names[pos.length] ?? 'argument'}`, first);
  if (pos.length > max) {
    throw new UsageError(`unexpected argument '${pos[max]}' (expected at most ${max}: ${names.join(' ')})`, first);
  }
  return { kind: 'command', command: first, positionals: pos, flags };
}

function isCommand(s: string): s is CommandName {
  return Object.hasOwn(COMMANDS, s);
}

function describeParseArgsError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /'([^']+)'/.exec(msg);
    return `unknown option '${m?.[1] ?? msg}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // e.g. "Option '--to <value>' argument missing" or "Option '--json' does not take an argument"
    return msg.replace(/\. To specify.*$/s, '').replace(/^Option /, 'option ');
  }
  return msg;
}

/** Reads a non-negative integer flag; throws `UsageError` naming the flag. */
export function integerFlag(command: CommandName, flags: Flags, name: string, bounds: { min: number; max: number }): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v)) {
    throw new UsageError(`invalid value '${String(v)}' for --${name} (expected a whole number)`, command);
  }
  const n = Number(v);
  if (n < bounds.min || n > bounds.max) {
    throw new UsageError(`invalid value '${v}' for --${name} (expected ${bounds.min} to ${bounds.max})`, command);
  }
  return n;
}

/** Reads `USER:PASS` for --user; throws `UsageError` when the colon is missing. */
export function basicAuthFlag(command: CommandName, flags: Flags): { username: string; password: string } | undefined {
  const v = flags['user'];
  if (typeof v !== 'string') return undefined;
  const i = v.indexOf(':');
  if (i < 0) throw new UsageError(`invalid value for --user (expected USER:PASS, found no ':')`, command);
  return { username: v.slice(0, i), password: v.slice(i + 1) };
}

/** Reads repeated `--label NAME=VALUE` flags. */
export function labelFlags(command: CommandName, flags: Flags): Record<string, string> {
  const v = flags['label'];
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const l of v) {
    const i = l.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --label '${l}' (expected NAME=VALUE)`, command);
    setLabel(out, l.slice(0, i), l.slice(i + 1));
  }
  return out;
}

/** Reads repeated `--header "Name: value"` flags. */
export function headerFlags(command: CommandName, flags: Flags): Record<string, string> {
  const v = flags['header'];
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const h of v) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`invalid --header '${h}' (expected "Name: value")`, command);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** Reads --ca-file, --cert-file, --key-file, --server-name and --insecure-skip-verify. */
export function tlsFlags(command: CommandName, flags: Flags): TlsOptions | undefined {
  const out: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = {};
  if (typeof flags['ca-file'] === 'string') out.caFile = flags['ca-file'];
  if (typeof flags['cert-file'] === 'string') out.certFile = flags['cert-file'];
  if (typeof flags['key-file'] === 'string') out.keyFile = flags['key-file'];
  if (typeof flags['server-name'] === 'string') out.serverName = flags['server-name'];
  if (flags['insecure-skip-verify'] === true) out.insecureSkipVerify = true;
  if ((out.certFile === undefined) !== (out.keyFile === undefined)) {
    throw new UsageError('--cert-file and --key-file go together (a client certificate and its key)', command);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Reads --proxy URL and --proxy-from-environment. */
export function proxyFlags(command: CommandName, flags: Flags): ProxyOption | undefined {
  const url = flags['proxy'];
  const env = flags['proxy-from-environment'] === true;
  if (typeof url === 'string' && env) throw new UsageError('give --proxy URL or --proxy-from-environment, not both', command);
  if (env) return 'environment';
  if (typeof url !== 'string') return undefined;
  try {
    parseProxyUrl(url);
  } catch {
    // The toolkit's check, said as a usage error: a wrong scheme, or no URL at all.
    const expected = URL.canParse(url) ? 'an http: proxy URL' : 'http://[user:pass@]host:port';
    throw new UsageError(`invalid --proxy '${url}' (expected ${expected})`, command);
  }
  return url;
}
