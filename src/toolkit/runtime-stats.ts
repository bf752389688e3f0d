/**
 * Readers of the process and runtime figures behind `collectDefaultMetrics`
 * (Node): /proc/self/status, /proc/self/limits and /proc/self/fd on Linux,
 * `process.cpuUsage`, `process.memoryUsage`, `v8.getHeapSpaceStatistics`,
 * the libuv handle and request lists. Plain functions and one small class,
 * each cheap enough to run on every scrape; nothing here knows about
 * metrics.
 *
 * What each figure means follows prom-client 15 (lib/metrics/*.js), so that
 * dashboards built on it read the same numbers; where client_golang
 * (prometheus/procfs, process_collector_procfsenabled.go) reads Linux
 * differently it is said at the reader.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { constants as perfConstants } from 'node:perf_hooks';

/** Memory figures of /proc/self/status, in bytes (the kernel writes them in kB). */
export interface ProcStatus {
  /** `VmRSS`: resident set size (process_resident_memory_bytes). */
  rss: number;
  /** `VmSize`: virtual memory size (process_virtual_memory_bytes). */
  virtual: number;
  /** `VmData`: size of the data segment (process_heap_bytes, as prom-client osMemoryHeapLinux.js). */
  data: number;
}

const K_V = 0x56; // 'V'
const K_M = 0x6d; // 'm'
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const DIGIT_0 = 0x30;

/** Which ProcStatus field a `VmXxx:` key fills, or -1. */
function statusKey(b: Uint8Array, i: number, end: number): number {
  // "VmRSS:", "VmSize:", "VmData:" (fs/proc/task_mmu.c task_mem()).
  if (end - i < 6 || b[i] !== K_V || b[i + 1] !== K_M) return -1;
  const c2 = b[i + 2];
  if (c2 === 0x52 && b[i + 3] === 0x53 && b[i + 4] === 0x53 && b[i + 5] === COLON) return 0; // RSS:
  if (end - i < 7) return -1;
  if (c2 === 0x53 && b[i + 3] === 0x69 && b[i + 4] === 0x7a && b[i + 5] === 0x65 && b[i + 6] === COLON) return 1; // Size:
  if (c2 === 0x44 && b[i + 3] === 0x61 && b[i + 4] === 0x74 && b[i + 5] === 0x61 && b[i + 6] === COLON) return 2; // Data:
  return -1;
}

/**
 * Reads `VmRSS`, `VmSize` and `VmData` out of the bytes of
 * /proc/self/status (`len` of them) into `out`, in bytes. Works on the
 * bytes, with no string made: it runs on every scrape. Returns whether all
 * three were found (a kernel thread or a non-Linux procfs lacks them).
 */
export function parseProcStatus(b: Uint8Array, len: number, out: ProcStatus): boolean {
  let found = 0;
  let i = 0;
  while (i < len) {
    const k = statusKey(b, i, len);
    if (k >= 0) {
      let j = i + 6;
      while (j < len && (b[j] === SPACE || b[j] === TAB || b[j] === COLON)) j++;
      let v = 0;
      let digits = 0;
      while (j < len) {
        const d = b[j]! - DIGIT_0;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        digits++;
        j++;
      }
      if (digits > 0) {
        // The unit is always kB (1024 bytes: fs/proc/task_mmu.c, as prom-client multiplies).
        const bytes = v * 1024;
        if (k === 0) out.rss = bytes;
        else if (k === 1) out.virtual = bytes;
        else out.data = bytes;
        found |= 1 << k;
      }
      i = j;
    }
    while (i < len && b[i] !== LF) i++;
    i++;
  }
  return found === 7;
}

/**
 * The soft limit of open files from /proc/self/limits (`Max open files`
 * line, second column: the soft limit, which client_golang's procfs reads
 * as `MaxOpenFiles` too). Undefined when absent or `unlimited`.
 */
export function parseMaxFds(text: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    // Columns are padded with two or more spaces: name, soft, hard, units.
    const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
    const n = Number(soft);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Reads procfs through descriptors kept open and one reused buffer: a
 * positioned read at offset 0 of an open /proc/self/status makes the
 * kernel render it afresh, without the open and close that
 * `fs.readFileSync(path, 'utf8')` costs prom-client on every scrape, and
 * with no string made. Measured in one process (bench/default-metrics.ts
 * shows the whole scrape): 17 us per read against 55 us for
 * open+read+close; fstat of an open /proc/self/fd 8 us against 16 us for
 * stat by path. The two descriptors are not counted in `openFds()`;
 * `close()` releases them.
 */
export class ProcReader {
  private buf = new Uint8Array(4096);
  /** Whether /proc/self/fd's size is its entry count (Linux 6.2+), decided on the first call. */
  private fdSizeCounts: boolean | undefined = undefined;
  private statusFd = -1;
  private fdDirFd = -1;
  private readonly statusPath: string;
  private readonly fdPath: string;
  private readonly limitsPath: string;

  constructor(root = '/proc/self') {
    this.statusPath = `${root}/status`;
    this.fdPath = `${root}/fd`;
    this.limitsPath = `${root}/limits`;
  }

  /** Reads a whole small file from offset 0 of an open descriptor into the reused buffer; returns its length, or -1. */
  private readAt0(fd: number): number {
    try {
      let len = 0;
      for (;;) {
        if (len === this.buf.length) {
          const bigger = new Uint8Array(this.buf.length * 2);
          bigger.set(this.buf);
          this.buf = bigger;
        }
        const n = readSync(fd, this.buf, len, this.buf.length - len, len);
        if (n === 0) return len;
        len += n;
      }
    } catch {
      return -1;
    }
  }

  /** Fills `out` from /proc/self/status; false when the file or a field is missing (not Linux). */
  readStatus(out: ProcStatus): boolean {
    if (this.statusFd < 0) {
      try {
        this.statusFd = openSync(this.statusPath, 'r');
      } catch {
        return false;
      }
    }
    const len = this.readAt0(this.statusFd);
    return len > 0 && parseProcStatus(this.buf, len, out);
  }

  /** Descriptors this reader holds open (left out of `openFds()`). */
  private held(): number {
    return (this.statusFd >= 0 ? 1 : 0) + (this.fdDirFd >= 0 ? 1 : 0);
  }

  /**
   * Open file descriptors, less the reader's own. Since Linux 6.2, stat()
   * of /proc/PID/fd reports the number of open descriptors as its size
   * (fs/proc/fd.c proc_fd_getattr): one fstat, nothing listed. Older
   * kernels report 0, and then the directory is listed (as prom-client and
   * client_golang do), less the descriptor the listing itself held.
   * Undefined off Linux.
   */
  openFds(): number | undefined {
    try {
      if (this.fdSizeCounts !== false) {
        if (this.fdDirFd < 0) this.fdDirFd = openSync(this.fdPath, 'r');
        const size = fstatSync(this.fdDirFd).size;
        if (size > 0) {
          this.fdSizeCounts = true;
          return size - this.held();
        }
        this.fdSizeCounts = false;
        closeSync(this.fdDirFd);
        this.fdDirFd = -1;
      }
      return readdirSync(this.fdPath).length - 1 - this.held();
    } catch {
      return undefined;
    }
  }

  /** The soft limit of open files from /proc/self/limits; undefined off Linux. */
  maxFds(): number | undefined {
    try {
      return parseMaxFds(readFileSync(this.limitsPath, 'latin1'));
    } catch {
      return undefined;
    }
  }

  /** Closes the descriptors kept open; a later read opens them again. */
  close(): void {
    for (const fd of [this.statusFd, this.fdDirFd]) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // Already closed: nothing to release.
        }
      }
    }
    this.statusFd = -1;
    this.fdDirFd = -1;
  }
}

/** CPU time of the process in seconds since it started (process.cpuUsage: microseconds). */
export function cpuSeconds(): { user: number; system: number } {
  const u = process.cpuUsage();
  return { user: u.user / 1e6, system: u.system / 1e6 };
}

/** `process.memoryUsage.rss()`, or undefined where it throws (prom-client helpers/safeMemoryUsage.js: some platforms do). */
export function safeRss(): number | undefined {
  try {
    return process.memoryUsage.rss();
  } catch {
    return undefined;
  }
}

/** V8's heap figures as `process.memoryUsage()` reports them (heapTotal, heapUsed, external). */
export interface HeapFigures {
  total: number;
  used: number;
  external: number;
}

/**
 * `heapTotal`, `heapUsed` and `external` of `process.memoryUsage()`, which
 * Node takes from V8's heap statistics (src/node_process_methods.cc
 * MemoryUsage: total_heap_size, used_heap_size, external_memory), read
 * here without the resident-size syscall memoryUsage() also makes (30 us
 * of a scrape on this machine).
 */
export function heapFigures(out: HeapFigures): HeapFigures {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  out.total = h.total_heap_size;
  out.used = h.used_heap_size;
  out.external = h.external_memory ?? process.memoryUsage().external;
  return out;
}

/**
 * A V8 heap space's name as prom-client labels it (`new_space` -> `new`,
 * `code_large_object_space` -> `code_large_object`): the text before `_space`.
 */
export function heapSpaceName(spaceName: string): string {
  const i = spaceName.indexOf('_space');
  // prom-client: substr(0, indexOf('_space')), which is '' when absent; keep the name instead.
  return i < 0 ? spaceName : spaceName.slice(0, i);
}

/**
 * Counts the items of a list by their constructor's name (prom-client
 * helpers/processMetricsHelpers.js aggregateByObjectName, for
 * `process._getActiveHandles()` / `_getActiveRequests()`), or by their own
 * value when they are strings (`process.getActiveResourcesInfo()`).
 */
export function countByType(list: readonly unknown[], into: Map<string, number>): Map<string, number> {
  into.clear();
  for (const item of list) {
    let type: string | undefined;
    if (typeof item === 'string') type = item;
    else if (item !== null && item !== undefined) {
      const ctor = (item as { constructor?: { name?: unknown } }).constructor;
      if (ctor === undefined) continue;
      type = typeof ctor.name === 'string' ? ctor.name : undefined;
    }
    if (type === undefined) continue;
    into.set(type, (into.get(type) ?? 0) + 1);
  }
  return into;
}

/** Undocumented libuv lists prom-client reads (present in Node 20-24); empty where they are gone. */
interface InternalProcess {
  _getActiveHandles?: () => unknown[];
  _getActiveRequests?: () => unknown[];
}

/** The active libuv handles (sockets, timers, servers...), or undefined where Node no longer has the call. */
export function activeHandles(): unknown[] | undefined {
  const p = process as unknown as InternalProcess;
  return typeof p._getActiveHandles === 'function' ? p._getActiveHandles() : undefined;
}

/** The active libuv requests (fs, dns...), or undefined where Node no longer has the call. */
export function activeRequests(): unknown[] | undefined {
  const p = process as unknown as InternalProcess;
  return typeof p._getActiveRequests === 'function' ? p._getActiveRequests() : undefined;
}

/** `process.getActiveResourcesInfo()` (Node 17.3+): the type names of what keeps the loop alive. */
export function activeResources(): string[] | undefined {
  return typeof process.getActiveResourcesInfo === 'function' ? process.getActiveResourcesInfo() : undefined;
}

/**
 * GC kinds by `PerformanceEntry.detail.kind` (perf_hooks constants), as
 * prom-client gc.js labels them. Other kinds are not labelled by
 * prom-client (its label is `undefined`); here they are skipped.
 */
export const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** The process' start time in Unix seconds (client_golang reads it from /proc/self/stat; prom-client rounds this same figure to whole seconds). */
export function processStartSeconds(): number {
  return Date.now() / 1000 - process.uptime();
}

/** `process.version` (`v20.11.1`) as prom-client's nodejs_version_info labels it: version, major, minor, patch. */
export function nodeVersionLabels(version: string = process.version): { version: string; major: string; minor: string; patch: string } {
  const [major = '', minor = '', patch = ''] = version.slice(1).split('.');
  return { version, major, minor, patch };
}
