import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  countByType,
  heapSpaceName,
  nodeVersionLabels,
  parseMaxFds,
  parseProcStatus,
  ProcReader,
  type ProcStatus,
  processStartSeconds,
} from '../src/toolkit/runtime-stats.js';

const STATUS = `Name:\tnode
Umask:\t0022
State:\tR (running)
VmPeak:\t 1168964 kB
VmSize:\t 1103428 kB
VmLck:\t       0 kB
VmHWM:\t   52248 kB
VmRSS:\t   52248 kB
RssAnon:\t   13448 kB
VmData:\t   79760 kB
VmStk:\t     132 kB
Threads:\t7
`;

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

const linux = process.platform === 'linux';

describe('parseProcStatus', () => {
  it('reads VmRSS, VmSize and VmData in bytes, not VmPeak/VmHWM/RssAnon', () => {
    const b = new TextEncoder().encode(STATUS);
    const out: ProcStatus = { rss: -1, virtual: -1, data: -1 };
    expect(parseProcStatus(b, b.length, out)).toBe(true);
    expect(out).toEqual({ rss: 52248 * 1024, virtual: 1103428 * 1024, data: 79760 * 1024 });
  });

  it('reads only the first len bytes, and says false when a field is missing', () => {
    const b = new TextEncoder().encode(STATUS);
    const out: ProcStatus = { rss: 0, virtual: 0, data: 0 };
    const cut = STATUS.indexOf('VmData');
    expect(parseProcStatus(b, cut, out)).toBe(false);
    expect(out.data).toBe(0);
    expect(out.rss).toBe(52248 * 1024);
    // A kernel thread's status has no Vm lines at all.
    const k = new TextEncoder().encode('Name:\tkthreadd\nState:\tS (sleeping)\n');
    expect(parseProcStatus(k, k.length, { rss: 0, virtual: 0, data: 0 })).toBe(false);
  });
});

describe('parseMaxFds', () => {
  it('takes the soft limit of "Max open files"', () => {
    expect(parseMaxFds(LIMITS)).toBe(1024);
  });
  it('is undefined for unlimited or a missing line', () => {
    expect(parseMaxFds(LIMITS.replace('1024  ', 'unlimited'))).toBeUndefined();
    expect(parseMaxFds('Limit Soft Hard\n')).toBeUndefined();
  });
});

describe.runIf(linux)('ProcReader on this process', () => {
  const r = new ProcReader();

  it('reads the same memory figures as the kernel prints', () => {
    const out: ProcStatus = { rss: 0, virtual: 0, data: 0 };
    expect(r.readStatus(out)).toBe(true);
    const text = readFileSync('/proc/self/status', 'latin1');
    const kb = (k: string) => Number(/^\w+:\s+(\d+) kB$/m.exec(text.split('\n').find((l) => l.startsWith(`${k}:`))!)![1]) * 1024;
    expect(out.virtual).toBe(kb('VmSize'));
    expect(out.data).toBe(kb('VmData'));
    // RSS moves between two reads; within 10%.
    expect(Math.abs(out.rss - kb('VmRSS'))).toBeLessThan(kb('VmRSS') / 10);
    expect(out.virtual).toBeGreaterThan(out.rss);
  });

  it("counts open descriptors as a listing does, less the reader's own two", () => {
    const own = new ProcReader();
    own.readStatus({ rss: 0, virtual: 0, data: 0 });
    const n = own.openFds();
    // The listing holds a descriptor of its own while it reads; the reader keeps /proc/self/status and /proc/self/fd open.
    expect(n).toBe(readdirSync('/proc/self/fd').length - 1 - 2);
    own.close();
    // Closed: two fewer open, and the count (reopening the fd directory) still leaves the reader's own out.
    expect(own.openFds()).toBe(n);
    own.close();
  });

  it('reads the soft open-files limit', () => {
    const soft = parseMaxFds(readFileSync('/proc/self/limits', 'latin1'));
    expect(r.maxFds()).toBe(soft);
  });

  it('is undefined where the files are absent', () => {
    const none = new ProcReader('/nonexistent/self');
    expect(none.readStatus({ rss: 0, virtual: 0, data: 0 })).toBe(false);
    expect(none.openFds()).toBeUndefined();
    expect(none.maxFds()).toBeUndefined();
  });
});

describe('runtime helpers', () => {
  it('counts by constructor name, or by the string itself', () => {
    class TCPWrap {}
    class Timer {}
    const m = countByType([new TCPWrap(), new Timer(), new TCPWrap(), null, undefined, 'FSReqCallback', 'FSReqCallback'], new Map());
    expect([...m]).toEqual([
      ['TCPWrap', 2],
      ['Timer', 1],
      ['FSReqCallback', 2],
    ]);
    // The map is reused: cleared first.
    expect([...countByType(['x'], m)]).toEqual([['x', 1]]);
  });

  it('names heap spaces as prom-client does', () => {
    expect(heapSpaceName('new_space')).toBe('new');
    expect(heapSpaceName('code_large_object_space')).toBe('code_large_object');
    expect(heapSpaceName('odd')).toBe('odd');
  });

  it('splits the Node version', () => {
    expect(nodeVersionLabels('v20.11.1')).toEqual({ version: 'v20.11.1', major: '20', minor: '11', patch: '1' });
  });

  it('puts the start time before now, within the uptime', () => {
    const t = processStartSeconds();
    expect(t).toBeLessThan(Date.now() / 1000);
    expect(Date.now() / 1000 - t).toBeLessThan(process.uptime() + 1);
  });
});
