/**
 * `Pusher.stop()` with the gateway down (a closed port): it resolves and
 * reports the failed final push through `onError` and `lastError`, so the
 * README's recipe (`process.once('SIGTERM', () => void pusher.stop())`)
 * does not crash the process with an unhandled rejection.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/toolkit/http.js';
import { startPusher } from '../src/toolkit/push.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A port nothing listens on: bound once to get a free number, then closed. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Pusher.stop() with the gateway down', () => {
  it('resolves, and the final push failure goes to onError and lastError', async () => {
    const port = await closedPort();
    const errors: unknown[] = [];
    const pusher = startPusher({
      url: `http://127.0.0.1:${port}`,
      job: 'j',
      interval: 60_000,
      immediate: false,
      source: 'x 1\n',
      timeout: 2000,
      onError: (e) => errors.push(e),
    });
    await expect(pusher.stop()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HttpError);
    expect(String((errors[0] as Error).message)).toContain('ECONNREFUSED');
    expect(pusher.lastError).toBe(errors[0]);
    expect(pusher.failures).toBe(1);
    expect(pusher.pushes).toBe(0);
    // Called again: the same settled promise.
    await expect(pusher.stop()).resolves.toBeUndefined();
  });

  it('the README recipe exits 0 on SIGTERM, printing the error with the default onError', async () => {
    const port = await closedPort();
    const src = new URL('../src/toolkit/push.ts', import.meta.url).href;
    // The README's recipe: no onError, the promise of stop() discarded.
    const script = `
      import { startPusher } from ${JSON.stringify(src)};
      const pusher = startPusher({ url: 'http://127.0.0.1:${port}', job: 'recipe', source: 'x 1\\n', interval: 60_000,
        immediate: false, onStop: 'delete', timeout: 2000 });
      process.once('SIGTERM', () => void pusher.stop());
      process.stdout.write('ready\\n');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (Buffer.concat(out).toString().includes('ready')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearTimeout(timer);
    const stderr = Buffer.concat(err).toString('utf8');
    expect(stderr).toMatch(/^DELETE http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/recipe: .*ECONNREFUSED/);
    expect(stderr).not.toContain('Unhandled');
    expect(code).toBe(0);
  });
});
