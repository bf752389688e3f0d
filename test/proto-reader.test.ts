import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/index.js';
import { WireReader } from '../src/proto/reader.js';

const bytes = (...b: number[]) => new Uint8Array(b);

function reader(b: Uint8Array, base = 0): WireReader {
  const r = new WireReader(b);
  r.setBuffer(b, base);
  return r;
}

function fails(f: () => unknown): PromwireError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PromwireError);
    return e as PromwireError;
  }
  throw new Error('expected a PromwireError');
}

describe('WireReader varints', () => {
  it('reads one-byte and multi-byte varints', () => {
    expect(reader(bytes(0)).uint32()).toBe(0);
    expect(reader(bytes(0x7f)).uint32()).toBe(127);
    expect(reader(bytes(0xac, 0x02)).uint32()).toBe(300);
    expect(reader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).uint32()).toBe(0xffffffff);
  });

  it('reads uint64 exactly below 2^53, int64 signed, zigzag', () => {
    // 2^53 - 1 = 0x1f_ffff_ffff_ffff
    const r = reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f));
    expect(r.uint64()).toBe(2 ** 53 - 1);
    expect(r.pos).toBe(8);
    // -1 as int64: ten bytes
    const m1 = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    expect(reader(m1).int64()).toBe(-1);
    expect(reader(m1).int32()).toBe(-1);
    // 1700000000123 ms
    const w: number[] = [];
    let v = 1700000000123;
    while (v >= 128) {
      w.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    w.push(v);
    expect(reader(new Uint8Array(w)).int64()).toBe(1700000000123);
    expect(reader(bytes(0x01)).sint32()).toBe(-1);
    expect(reader(bytes(0x02)).sint32()).toBe(1);
    expect(reader(bytes(0x03)).sint64()).toBe(-2);
    expect(reader(bytes(0xfe, 0xff, 0xff, 0xff, 0x0f)).sint64()).toBe(2147483647);
    expect(reader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).sint64()).toBe(-2147483648);
    // sint64 beyond 32 bits: zigzag(2^40) = 2^41
    const z: number[] = [];
    let u = 2 ** 41;
    while (u >= 128) {
      z.push((u % 128) | 0x80);
      u = Math.floor(u / 128);
    }
    z.push(u);
    expect(reader(new Uint8Array(z)).sint64()).toBe(2 ** 40);
  });

  it('refuses a truncated varint and one over 10 bytes, with the offset', () => {
    let e = fails(() => reader(bytes(0x80, 0x80), 100).uint32());
    expect(e.code).toBe('UNEXPECTED_END');
    expect(e.offset).toBe(100);
    e = fails(() => reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).uint64());
    expect(e.code).toBe('INVALID_PROTOBUF');
    expect(e.message).toMatch(/longer than 10 bytes at byte 0/);
    e = fails(() => reader(bytes()).uint32());
    expect(e.code).toBe('UNEXPECTED_END');
  });
});

describe('WireReader fields', () => {
  it('reads a double little-endian and refuses a cut one', () => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, 1.5, true);
    expect(reader(b).double()).toBe(1.5);
    expect(fails(() => reader(b.subarray(0, 7)).double()).code).toBe('UNEXPECTED_END');
  });

  it('reads tags and refuses groups, wire types 6/7 and field 0', () => {
    const r = reader(bytes(0x0a));
    expect(r.tag()).toBe(1);
    expect(r.wire).toBe(2);
    for (const t of [0x0b, 0x0c, 0x0e, 0x0f, 0x02]) {
      const e = fails(() => reader(bytes(t), 7).tag());
      expect(e.code).toBe('INVALID_PROTOBUF');
      expect(e.offset).toBe(7);
    }
  });

  it('gives length-delimited fields as offsets and refuses a length past the end', () => {
    const r = reader(bytes(0x03, 0x61, 0x62, 0x63, 0x00));
    expect(r.lengthEnd()).toBe(4);
    expect(r.pos).toBe(1);
    const e = fails(() => reader(bytes(0x05, 0x61), 10).lengthEnd());
    expect(e.code).toBe('UNEXPECTED_END');
    expect(e.offset).toBe(10);
  });

  it('skips every wire type', () => {
    // varint field 1, fixed64 field 2, len field 3, fixed32 field 4, then varint field 5 = 9
    const b = bytes(0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x02, 0x61, 0x62, 0x25, 1, 2, 3, 4, 0x28, 0x09);
    const r = reader(b);
    for (let i = 0; i < 4; i++) {
      r.tag();
      r.skip();
    }
    expect(r.tag()).toBe(5);
    expect(r.uint32()).toBe(9);
    expect(r.pos).toBe(b.length);
    expect(
      fails(() => {
        const c = reader(bytes(0x25, 1, 2));
        c.tag();
        c.skip();
      }).code,
    ).toBe('UNEXPECTED_END');
  });

  it('names the wrong wire type of a known field', () => {
    const r = reader(bytes(0x08, 0x01));
    r.tag();
    const e = fails(() => r.expect(2, 'MetricFamily.name', 0));
    expect(e.code).toBe('INVALID_PROTOBUF');
    expect(e.message).toMatch(/MetricFamily\.name with wire type varint, expected length-delimited/);
  });
});
