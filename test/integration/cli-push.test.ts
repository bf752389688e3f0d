/**
 * `promwire push` against a real Pushgateway 1.11.2: PUT a payload file with
 * a grouping key (a value with "/" goes base64-encoded), POST to replace
 * only the metrics of the same names, DELETE the group; a payload the
 * gateway refuses exits 1 with the gateway's message. The gateway's
 * /metrics is read back with promwire's scrape client.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../../src/toolkit/scrape.js';
import { Cleanup, startPushgateway, tempDir } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

let gateway: string;
let dir: string;

beforeAll(async () => {
  gateway = (await startPushgateway(cleanup)).base;
  dir = await tempDir(cleanup, 'cli-push');
}, 60_000);

const cli = (argv: string[], stdin = '') => runCli(argv, { stdin });

/** The gateway's samples of `job`, as `name{labels} value` lines (push_time_seconds and friends left out). */
async function groupLines(job: string): Promise<string[]> {
  const r = await scrape(`${gateway}/metrics`);
  const lines: string[] = [];
  for (const f of r.families) {
    if (f.name.startsWith('push_') || f.name.startsWith('pushgateway_') || f.name.startsWith('go_') || f.name.startsWith('process_'))
      continue;
    for (const s of f.samples) {
      if (s.labels['job'] !== job) continue;
      const labels = Object.entries(s.labels)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      lines.push(`${s.name}{${labels}} ${String(s.value)}`);
    }
  }
  return lines.sort();
}

describe('promwire push (Pushgateway 1.11.2)', () => {
  it('PUT with a grouping key, POST replaces same-named metrics only, DELETE removes the group', async () => {
    const first = join(dir, 'first.om.txt');
    // OpenMetrics in: sent as text 0.0.4, the unit said on stderr as text cannot carry it.
    writeFileSync(
      first,
      '# TYPE batch_records counter\n# UNIT batch_records records\nbatch_records_total{kind="a"} 5\n# TYPE batch_ok gauge\nbatch_ok 1\n# EOF\n',
    );
    const key = ['--grouping', 'instance=host/1', '--grouping', 'zone=eu'];
    const put = await cli(['push', first, '--url', gateway, '--job', 'cli-batch', ...key]);
    expect(put.code).toBe(0);
    expect(put.stderr).toMatch(/^promwire: warning: "batch_records_total": unit "records" dropped/m);
    expect(put.stderr).toMatch(
      new RegExp(`^promwire: PUT ${gateway}/metrics/job/cli-batch/instance@base64/aG9zdC8x/zone/eu: 200, 2 families, \\d+ bytes\\n$`, 'm'),
    );
    expect(await groupLines('cli-batch')).toEqual([
      'batch_ok{instance="host/1",job="cli-batch",zone="eu"} 1',
      'batch_records_total{instance="host/1",job="cli-batch",kind="a",zone="eu"} 5',
    ]);

    const post = await cli(['push', '--url', gateway, '--job', 'cli-batch', ...key, '--method', 'POST'], 'batch_ok 0\n');
    expect(post.code).toBe(0);
    expect(await groupLines('cli-batch')).toEqual([
      'batch_ok{instance="host/1",job="cli-batch",zone="eu"} 0',
      'batch_records_total{instance="host/1",job="cli-batch",kind="a",zone="eu"} 5',
    ]);

    const put2 = await cli(['push', '-', '--url', gateway, '--job', 'cli-batch', ...key], 'batch_ok 1\n');
    expect(put2.code).toBe(0);
    expect(await groupLines('cli-batch')).toEqual(['batch_ok{instance="host/1",job="cli-batch",zone="eu"} 1']);

    const del = await cli(['push', '--url', gateway, '--job', 'cli-batch', ...key, '--method', 'DELETE']);
    expect(del.code).toBe(0);
    expect(del.stderr).toBe(`promwire: DELETE ${gateway}/metrics/job/cli-batch/instance@base64/aG9zdC8x/zone/eu: 202\n`);
    expect(await groupLines('cli-batch')).toEqual([]);
  });

  it("exits 1 with the gateway's message when it refuses the payload; usage errors exit 2", async () => {
    // The same name as a gauge in one group and a counter in another: the gateway answers 400.
    expect((await cli(['push', '--url', gateway, '--job', 'cli-one'], '# TYPE cli_clash gauge\ncli_clash 1\n')).code).toBe(0);
    const r = await cli(['push', '--url', gateway, '--job', 'cli-two'], '# TYPE cli_clash counter\ncli_clash 1\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^promwire: push: PUT .*\/metrics\/job\/cli-two: server returned HTTP status 400 .*cli_clash/);
    expect((await cli(['push', '--url', gateway], 'x 1\n')).code).toBe(2);
    expect((await cli(['push', 'f.prom', '--url', gateway, '--job', 'j', '--method', 'DELETE'])).code).toBe(2);
    expect((await cli(['push', '--url', gateway, '--job', 'j', '--method', 'PATCH'], 'x 1\n')).code).toBe(2);
  });
});
