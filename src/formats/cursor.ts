import { MicrogptError } from '../errors.js';
import { readAt, type OpenFile } from './file.js';

const CHUNK = 1 << 20;

/**
 * Sequential little-endian reads over a file, through a 1 MiB window. Every
 * read checks that the bytes exist before it allocates anything, so a lying
 * length is found at the end of the file, not after a huge allocation.
 */
export class Cursor {
  pos = 0;
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    readonly file: OpenFile,
    private readonly code: string,
  ) {}

  get remaining(): number {
    return this.file.size - this.pos;
  }

  fail(msg: string): never {
    throw new MicrogptError(this.code, `${this.file.path}: ${msg}`);
  }

  /** Makes bytes [pos, pos + n) available in the window and returns their offset in it. */
  private need(n: number, what: string): number {
    if (n > this.remaining)
      this.fail(`truncated: ${what} at byte ${this.pos} needs ${n} bytes, ${this.remaining} remain`);
    const end = this.bufStart + this.buf.length;
    if (this.pos < this.bufStart || this.pos + n > end) {
      this.buf = readAt(this.file, this.pos, Math.max(n, CHUNK));
      this.bufStart = this.pos;
    }
    return this.pos - this.bufStart;
  }

  u8(what: string): number {
    const o = this.need(1, what);
    this.pos += 1;
    return this.buf[o];
  }
  u32(what: string): number {
    const o = this.need(4, what);
    this.pos += 4;
    return this.buf.readUInt32LE(o);
  }
  i32(what: string): number {
    const o = this.need(4, what);
    this.pos += 4;
    return this.buf.readInt32LE(o);
  }
  /** A u64 that must fit a JavaScript number exactly (sizes, counts, offsets). */
  u64(what: string): number {
    const o = this.need(8, what);
    this.pos += 8;
    // Two 32-bit halves: no BigInt on the hot path (a 128k vocabulary has 400k string lengths).
    const hi = this.buf.readUInt32LE(o + 4);
    if (hi >= 0x200000)
      this.fail(`${what} at byte ${this.pos - 8} is ${this.buf.readBigUInt64LE(o)}, larger than any real file`);
    // A small value stays a small integer: hi * 2^32 would make every count and offset a boxed double (16 bytes each).
    const lo = this.buf.readUInt32LE(o);
    return hi === 0 ? lo : hi * 0x100000000 + lo;
  }
  /** A 64-bit value kept exactly: numbers when safe, bigint otherwise. */
  big(what: string, signed: boolean): number | bigint {
    const o = this.need(8, what);
    this.pos += 8;
    const v = signed ? this.buf.readBigInt64LE(o) : this.buf.readBigUInt64LE(o);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  f32(what: string): number {
    const o = this.need(4, what);
    this.pos += 4;
    return this.buf.readFloatLE(o);
  }
  f64(what: string): number {
    const o = this.need(8, what);
    this.pos += 8;
    return this.buf.readDoubleLE(o);
  }
  bytes(n: number, what: string): Buffer {
    const o = this.need(n, what);
    this.pos += n;
    return this.buf.subarray(o, o + n);
  }
  skip(n: number, what: string): void {
    if (n > this.remaining)
      this.fail(`truncated: ${what} at byte ${this.pos} needs ${n} bytes, ${this.remaining} remain`);
    this.pos += n;
  }
}
