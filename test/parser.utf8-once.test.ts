/**
 * The whole-buffer UTF-8 check (Scanner.wholeUtf8) vouches only for ranges
 * that start on a character. Found by `npm run fuzz` (stream-vs-parse): a
 * HELP text starts one byte after the name (promparse drops the separator),
 * so `# HELP a東 help` starts its text inside `東`; Prometheus'
 * utf8.Valid(p.text) refuses it, and so must promwire, whether the rest of
 * the buffer is valid UTF-8 or not, and whatever the stream's chunks.
 */
import { describe, expect, it } from 'vitest';
import type { PromwireError } from '../src/errors.js';
import { parse } from '../src/parse/families.js';
import { parseStream } from '../src/parse/stream.js';

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    const err = e as PromwireError;
    return `${err.code} ${err.line}:${err.column}`;
  }
}

async function streamed(bytes: Uint8Array, size: number): Promise<string> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  try {
    for await (const _ of parseStream(chunks(), { format: 'text' })) {
      // drain
    }
    return 'ok';
  } catch (e) {
    const err = e as PromwireError;
    return `${err.code} ${err.line}:${err.column}`;
  }
}

describe('help text starting inside a character', () => {
  const enc = new TextEncoder();
  it('is refused in a buffer that is otherwise valid UTF-8', () => {
    expect(outcome(() => parse('# HELP a東 help\na 1\n', { format: 'text' }))).toBe('INVALID_UTF8 1:10');
  });

  it('is refused the same by parseStream, in chunks of any size', async () => {
    // The fuzzer's input: an invalid byte in a comment on line 1 made the whole
    // buffer invalid for parse(), while a stream's later chunks were valid.
    const bytes = enc.encode('# {YPE a\u00c0gauge\n# HELP a東 help\r\n\na 1.2\n');
    bytes[8] = 0xc0;
    const whole = outcome(() => parse(bytes, { format: 'text' }));
    expect(whole).toBe('INVALID_UTF8 2:10');
    for (const size of [1, 2, 3, 7, 16, 64]) expect(await streamed(bytes, size)).toBe(whole);
  });

  it('a blank separator keeps the fast path: valid UTF-8 help text is accepted', () => {
    const [f] = parse('# HELP a 東 help\na 1\n', { format: 'text' });
    expect(f!.help).toBe('東 help');
  });
});
