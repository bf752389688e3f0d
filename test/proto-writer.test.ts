import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ProtoWriter, utf8Length, varintSize } from '../src/proto/writer.js';

/** Reads what a ProtoWriter wrote back with protobufjs' Reader (an independent decoder). */
function reader(w: ProtoWriter): protobuf.Reader {
  return protobuf.Reader.create(w.finish());
}

describe('ProtoWriter', () => {
  it('writes unsigned varints as protobufjs reads them, at every length boundary', () => {
    const values = [
      0,
      1,
      127,
      128,
      16383,
      16384,
      2 ** 21 - 1,
      2 ** 21,
      2 ** 28 - 1,
      2 ** 28,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      2 ** 35,
      2 ** 42 + 5,
      2 ** 53 - 1,
    ];
    const w = new ProtoWriter(16);
    for (const v of values) w.uint(v);
    const r = reader(w);
    for (const v of values) expect(Number(r.uint64().toString())).toBe(v);
    expect(r.pos).toBe(r.len);
    for (const v of values) {
      const one = new ProtoWriter();
      one.uint(v);
      expect(one.pos, `varint size of ${v}`).toBe(varintSize(v));
    }
  });

  it('writes int64 (negative: ten bytes, two’s complement) and zigzag sint', () => {
    const ints = [0, 5, -1, -2, -128, -(2 ** 31), -(2 ** 32) - 7, -(2 ** 53) + 1, 1700000000000, -1700000000000];
    const sints = [0, -1, 1, -64, 64, -(2 ** 31), 2 ** 40, -(2 ** 40) - 3];
    const w = new ProtoWriter();
    for (const v of ints) w.int64(v);
    for (const v of sints) w.sint(v);
    const r = reader(w);
    for (const v of ints) expect(BigInt(r.int64().toString())).toBe(BigInt(v));
    for (const v of sints) expect(BigInt(r.sint64().toString())).toBe(BigInt(v));
    const neg = new ProtoWriter();
    neg.int64(-1);
    expect(neg.pos).toBe(10);
  });

  it('writes doubles little-endian, NaN, infinities and -0 included', () => {
    const values = [0, -0, 1.5, -2.25e-300, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE];
    const w = new ProtoWriter(8);
    for (const v of values) w.double(v);
    const r = reader(w);
    for (const v of values) expect(Object.is(r.double(), v)).toBe(true);
  });

  it('writes strings as UTF-8 (ASCII in place, the rest via encodeInto) with the right length prefix', () => {
    const strings = [
      '',
      'a',
      'x'.repeat(127),
      'y'.repeat(128),
      'z'.repeat(20000),
      'é',
      'aé'.repeat(50),
      '日本語',
      '😀',
      'lone \ud800 surrogate',
      'b'.repeat(100) + 'ü',
    ];
    const w = new ProtoWriter(4);
    for (const s of strings) w.stringField(0x0a, s);
    const r = reader(w);
    for (const s of strings) {
      expect(r.uint32()).toBe(0x0a);
      expect(r.string()).toBe(s.replace('\ud800', '\ufffd'));
    }
    expect(r.pos).toBe(r.len);
    expect(utf8Length('a\u00e9\u65e5\ud83d\ude00\ud800')).toBe(1 + 2 + 3 + 4 + 3);
  });

  it('backpatches lengths: short, long (content moves up) and over-reserved (content moves down)', () => {
    for (const [size, reserve] of [
      [5, 1],
      [127, 1],
      [128, 1],
      [300000, 1],
      [3, 3],
      [200, 3],
      [70000, 2],
    ] as const) {
      const w = new ProtoWriter(8);
      w.byte(0x0a);
      const start = w.beginLength(reserve);
      for (let i = 0; i < size; i++) w.byte(i & 0xff);
      expect(w.endLength(start, reserve)).toBe(size);
      w.byte(0x10);
      w.uint(7);
      const r = reader(w);
      expect(r.uint32()).toBe(0x0a);
      const body = r.bytes();
      expect(body.length).toBe(size);
      expect(body[size - 1]).toBe((size - 1) & 0xff);
      expect(r.uint32()).toBe(0x10);
      expect(r.uint32()).toBe(7);
      expect(w.pos).toBe(1 + varintSize(size) + size + 2);
    }
  });
});
