/**
 * What a loader and an engine use beyond the products: weights stored
 * input-major filled straight into the kernel's layout (fillTransposed), file
 * ranges read on every thread (readFile), caches given back and their room
 * reused (the arena's free list), attention's scores shown to a hook, and
 * parts of a cache read in place. Each against an independent way of getting
 * the same thing: the transpose written element by element, a plain read, a
 * copy.
 */
import { mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCompute, writeFloat32, type Compute, type Dtype, type Matrix } from '../../src/compute/index.js';
import { attentionReference, randomVector, rngFor } from './reference.js';

const simd = openCompute({ kind: 'wasm-simd', threads: 3 });
const outside = openCompute({ kind: 'wasm-simd', threads: 2, residentBytes: 0 });
const js = openCompute({ kind: 'js' });
afterAll(() => {
  simd.close();
  outside.close();
});
const dir = mkdtempSync(join(tmpdir(), 'microgpt-loading-'));

const SIZE: Record<Dtype, number> = { F32: 4, BF16: 2, F16: 2 };

/** Random bits for `n` values: normal-range 16-bit floats, or float32s. */
function randomBits(dtype: Dtype, n: number, seed: number): Uint8Array {
  const rng = rngFor(seed, n);
  if (dtype === 'F32') return new Uint8Array(randomVector(n, rng).buffer);
  const u = new Uint16Array(n);
  for (let i = 0; i < n; i++)
    u[i] =
      dtype === 'BF16' ? 0x3e00 + rng.int(0x200) + (rng.int(2) << 15) : 0x3000 + rng.int(0x1000) + (rng.int(2) << 15);
  return new Uint8Array(u.buffer);
}

describe.each([
  ['wasm-simd, 3 threads', simd],
  ['wasm-simd, weights outside the WebAssembly memory', outside],
  ['js', js],
] as const)('fillTransposed on %s', (_, c: Compute) => {
  it.each(['F32', 'BF16', 'F16'] as const)(
    '%s: parts of an input-major weight equal the same rows written one by one',
    (dtype) => {
      for (const [K, rows] of [
        [5, [3, 8, 13]],
        [17, [1, 16, 9]],
        [64, [24, 24, 24]],
      ] as const) {
        const stride = rows.reduce((a, b) => a + b, 0) + 2; // two stored columns no part takes
        const stored = randomBits(dtype, K * stride, K + rows[0]!);
        const e = SIZE[dtype];
        let first = 1;
        const parts = rows.map((r) => {
          const part = { matrix: c.allocMatrix(dtype, r, K), first };
          first += r;
          return part;
        });
        c.fillTransposed(parts, stride, (k0, n, into) =>
          into.set(stored.subarray(k0 * stride * e, (k0 + n) * stride * e)),
        );
        for (const { matrix, first: at } of parts) {
          // The same matrix written row by row from the stored columns.
          const plain = js.allocMatrix(dtype, matrix.rows, K);
          for (let r = 0; r < matrix.rows; r++)
            for (let k = 0; k < K; k++)
              plain.bytes.set(
                stored.subarray((k * stride + at + r) * e, (k * stride + at + r + 1) * e),
                (r * K + k) * e,
              );
          expect(Array.from(matrix.values())).toEqual(Array.from(plain.values()));
          const x = randomVector(7 * K, rngFor(3, K));
          expect(Array.from(c.linear(x, 7, matrix))).toEqual(Array.from(js.linear(x, 7, plain)));
          c.releaseMatrix(matrix);
        }
      }
    },
  );

  it('refuses parts past the stored row and mixed dtypes', () => {
    const a = c.allocMatrix('F32', 4, 3),
      b = c.allocMatrix('BF16', 4, 3);
    expect(() => c.fillTransposed([{ matrix: a, first: 2 }], 5, () => {})).toThrow(
      /columns 2\.\.5 of stored rows of 5/,
    );
    expect(() =>
      c.fillTransposed(
        [
          { matrix: a, first: 0 },
          { matrix: b, first: 4 },
        ],
        8,
        () => {},
      ),
    ).toThrow(/share its dtype/);
  });
});

describe('readFile', () => {
  const bytes = randomBits('F32', 3 << 20, 9); // 12 MiB: several units of 1 MiB
  const file = join(dir, 'data.bin');
  writeFileSync(file, bytes);

  it.each([
    ['wasm-simd, 3 threads', simd],
    ['outside', outside],
    ['js', js],
  ] as const)('%s: a range read into a matrix is the file bytes, from any offset', (_, c) => {
    const fd = openSync(file, 'r');
    try {
      const m: Matrix = c.allocMatrix('F32', 3 << 8, 4000);
      c.readFile(fd, 12345, m.bytes);
      expect(Buffer.from(m.bytes).equals(Buffer.from(bytes.subarray(12345, 12345 + m.bytes.length)))).toBe(true);
      c.releaseMatrix(m);
      const late = c.allocMatrix('F32', 3 << 8, 1 << 12);
      expect(() => c.readFile(fd, 12345, late.bytes)).toThrow(/file ended/);
      c.releaseMatrix(late);
    } finally {
      closeSync(fd);
    }
  });
});

describe('caches and the arena', () => {
  it('a released cache gives its room back: the next cache of that size lands there, zeroed', () => {
    const c = openCompute({ kind: 'wasm-simd', threads: 1 });
    const a = c.allocCache(1000),
      b = c.allocCache(5000),
      d = c.allocCache(1000);
    b.fill(7);
    c.releaseCache(b);
    const e = c.allocCache(4000);
    expect(e.byteOffset).toBe(b.byteOffset);
    expect(e.every((v) => v === 0)).toBe(true);
    // Neighbouring holes merge: a and e released, then a cache as big as both fits where a was.
    c.releaseCache(a);
    c.releaseCache(e);
    const f = c.allocCache(5900);
    expect(f.byteOffset).toBe(a.byteOffset);
    // The top one released brings the floor down: everything released, the first cache starts where a did.
    c.releaseCache(f);
    c.releaseCache(d);
    expect(c.allocCache(10).byteOffset).toBe(a.byteOffset);
    c.releaseCache(d); // twice, or a cache it never made: nothing happens
    c.releaseCache(new Float32Array(4));
    c.close();
  });

  it('room used before comes back zeroed to its last byte, whatever its length (words, then the bytes left)', () => {
    const c = openCompute({ kind: 'wasm-simd', threads: 1 });
    for (const n of [1, 2, 3, 7, 2999, 5001]) {
      const dirty = c.allocCache(6000);
      dirty.fill(-1);
      c.releaseCache(dirty);
      const again = c.allocCache(n);
      expect(again.byteOffset).toBe(dirty.byteOffset);
      expect(again.every((v) => Object.is(v, 0))).toBe(true);
      c.releaseCache(again);
      // A BF16 matrix of 5 × 3 (6-byte rows, padded to 8 rows): an odd number of 16-bit values.
      const m = c.allocMatrix('BF16', 5, 3);
      expect(m.bytes.byteOffset).toBe(dirty.byteOffset);
      expect(new Uint8Array(m.bytes.buffer, m.bytes.byteOffset, 8 * 6).every((b) => b === 0)).toBe(true);
      c.releaseMatrix(m);
    }
    c.close();
  });

  it("a matrix its caller fills (filled = true) gets only its padding rows cleared; its products are a fresh one's", () => {
    const c = openCompute({ kind: 'wasm-simd', threads: 1 });
    const dirty = c.allocCache(4096);
    dirty.fill(NaN);
    c.releaseCache(dirty);
    const m = c.allocMatrix('F32', 5, 3, true);
    expect(m.bytes.byteOffset).toBe(dirty.byteOffset);
    const storage = new Float32Array(m.bytes.buffer, m.bytes.byteOffset, 8 * 3);
    expect(storage.subarray(0, 15).every(Number.isNaN)).toBe(true); // left for the caller to write
    expect(storage.subarray(15).every((v) => Object.is(v, 0))).toBe(true); // rows 5–7: padding, zeroed
    const values = Float32Array.from({ length: 15 }, (_, i) => i / 7 - 1);
    writeFloat32(m, values);
    const fresh = c.allocMatrix('F32', 5, 3);
    writeFloat32(fresh, values);
    const x = Float32Array.from({ length: 9 }, (_, i) => 0.5 - i / 9);
    expect(Array.from(c.linear(x, 3, m))).toEqual(Array.from(c.linear(x, 3, fresh)));
    c.close();
  });

  it('attention reads a part of a cache in place, as it reads a copy', () => {
    const rng = rngFor(4);
    const [T, H, KV, d] = [5, 4, 2, 8];
    const k = simd.allocCache(3 * T * KV * d),
      v = simd.allocCache(3 * T * KV * d);
    k.set(randomVector(k.length, rng));
    v.set(randomVector(v.length, rng));
    const q = randomVector(T * H * d, rng);
    const part = (a: Float32Array) => a.subarray(T * KV * d, 2 * T * KV * d);
    const a = { q, T, heads: H, kvHeads: KV, d, start: 0, scale: 0.3 };
    const inPlace = simd.attention({ ...a, k: part(k), v: part(v) });
    const copied = simd.attention({ ...a, k: part(k).slice(), v: part(v).slice() });
    expect(Array.from(inPlace.out)).toEqual(Array.from(copied.out));
    simd.releaseCache(k);
    simd.releaseCache(v);
  });

  it.each([
    ['wasm-simd', simd],
    ['js', js],
  ] as const)(
    '%s: the scores shown are the scaled dot products, −Infinity where masked; asking changes no bit',
    (_, c) => {
      const rng = rngFor(6);
      const [T, H, KV, d, start] = [4, 6, 3, 5, 3];
      const a = {
        q: randomVector(T * H * d, rng),
        k: randomVector((start + T) * KV * d, rng),
        v: randomVector((start + T) * KV * d, rng),
        T,
        heads: H,
        kvHeads: KV,
        d,
        start,
        window: 5,
        scale: 0.7,
      };
      const r = c.attention({ ...a, scores: true, weights: true });
      const plain = c.attention(a);
      expect(Array.from(r.out)).toEqual(Array.from(plain.out));
      const total = start + T;
      const ref = attentionReference(a);
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++)
          for (let j = 0; j < total; j++) {
            const i = start + t,
              s = r.scores![(h * T + t) * total + j]!;
            if (j > i || j < i - 4) expect(s).toBe(-Infinity);
            else {
              let dot = 0;
              const kv = Math.floor((h * KV) / H);
              for (let e = 0; e < d; e++) dot += a.q[(t * H + h) * d + e]! * a.k[(j * KV + kv) * d + e]!;
              expect(Math.abs(s - dot * 0.7)).toBeLessThan(1e-5);
              expect(r.weights![(h * T + t) * total + j]).toBeCloseTo(ref.weights[(h * T + t) * total + j]!, 6);
            }
          }
    },
  );
});
