/**
 * Causal attention against a float64 reference written as the definition
 * reads (reference.ts): GQA, sliding windows, a start offset into a K/V cache,
 * per-head scales, the weights returned. Tolerance: 2e-6 of the output's scale
 * (float32 dot products and sums over at most a few hundred keys).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openCompute, type AttentionInput } from '../../src/compute/index.js';
import { attentionReference, randomVector, rngFor } from './reference.js';

const computes = [openCompute({ kind: 'wasm-simd', threads: 2 }), openCompute({ kind: 'js' })];
afterAll(() => computes.forEach((c) => c.close()));

function input(T: number, heads: number, kvHeads: number, d: number, start: number, extra: number, seed: number) {
  const rng = rngFor(seed, T, heads, d, start);
  const positions = start + T + extra; // a cache with room to spare
  return {
    q: randomVector(T * heads * d, rng),
    k: randomVector(positions * kvHeads * d, rng),
    v: randomVector(positions * kvHeads * d, rng),
    T,
    heads,
    kvHeads,
    d,
    start,
    scale: 1 / Math.sqrt(d),
  };
}

function check(a: AttentionInput) {
  const ref = attentionReference(a);
  const total = a.start + a.T;
  for (const c of computes) {
    const { out, weights } = c.attention({ ...a, weights: true });
    for (let i = 0; i < out.length; i++)
      if (!(Math.abs(out[i]! - ref.out[i]!) <= 2e-6 * (1 + Math.abs(ref.out[i]!))))
        throw new Error(`${c.kind}: out[${i}] = ${out[i]}, reference ${ref.out[i]}`);
    expect(weights).toHaveLength(a.heads * a.T * total);
    for (let i = 0; i < weights!.length; i++) {
      // Masked keys: exactly 0; the others close to the reference.
      if (ref.weights[i] === 0) expect(weights![i]).toBe(0);
      else if (!(Math.abs(weights![i]! - ref.weights[i]!) <= 1e-6))
        throw new Error(`${c.kind}: weight[${i}] = ${weights![i]}, reference ${ref.weights[i]}`);
    }
    const plain = c.attention({ ...a, weights: false });
    expect(plain.weights).toBeNull();
    expect(Array.from(plain.out)).toEqual(Array.from(out));
  }
}

describe('attention', () => {
  it('multi-head, from position 0', () => check(input(7, 4, 4, 16, 0, 0, 1)));
  it('GQA: query head h reads K/V head ⌊h·kv/heads⌋ (12 heads over 4, and over 1)', () => {
    check(input(5, 12, 4, 8, 0, 0, 2));
    check(input(5, 6, 1, 5, 0, 3, 3));
  });
  it('a start offset (generation with a cache), one new token and several', () => {
    check(input(1, 4, 2, 16, 30, 0, 4));
    check(input(3, 4, 2, 17, 9, 5, 5));
  });
  it('a sliding window, also across the start offset', () => {
    check({ ...input(9, 2, 1, 8, 0, 0, 6), window: 3 });
    check({ ...input(4, 2, 2, 8, 10, 0, 7), window: 5 });
    check({ ...input(4, 2, 2, 8, 10, 0, 8), window: 1 });
  });
  it('per-head scales', () => check({ ...input(6, 3, 3, 4, 2, 0, 9), scale: Float64Array.of(0.1, 1, 3) }));

  it('random shapes (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom([1, 1], [2, 1], [4, 2], [6, 3], [8, 8]),
        fc.constantFrom(1, 3, 4, 5, 17, 64),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 6 }),
        (T, [heads, kvHeads], d, start, window) => check({ ...input(T, heads!, kvHeads!, d, start, 2, T + d), window }),
      ),
      { seed: 12, numRuns: 40 },
    );
  });

  it('weights of every query sum to 1; future keys and keys out of the window get exactly 0', () => {
    const a = { ...input(6, 2, 1, 8, 4, 0, 10), window: 3 };
    const { weights } = computes[0]!.attention({ ...a, weights: true });
    const total = 10;
    for (let h = 0; h < 2; h++)
      for (let t = 0; t < 6; t++) {
        const row = Array.from(weights!.subarray((h * 6 + t) * total, (h * 6 + t + 1) * total));
        const pos = 4 + t;
        expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
        row.forEach((w, j) => (j > pos || j <= pos - 3 ? expect(w).toBe(0) : expect(w).toBeGreaterThan(0)));
      }
  });

  it('the same bits for 1, 2 and 3 threads', () => {
    const a = { ...input(33, 8, 2, 64, 40, 0, 11), window: 50, weights: true };
    const runs = [1, 2, 3].map((threads) => {
      const c = openCompute({ kind: 'wasm-simd', threads });
      try {
        const r = c.attention(a);
        return Buffer.concat([Buffer.from(r.out.buffer), Buffer.from(r.weights!.buffer)]);
      } finally {
        c.close();
      }
    });
    expect(runs[1]!.equals(runs[0]!)).toBe(true);
    expect(runs[2]!.equals(runs[0]!)).toBe(true);
  });

  it('K/V caches from allocCache are read in place, with the same result as copies', () => {
    const c = openCompute({ kind: 'wasm-simd', threads: 2 });
    try {
      const a = input(3, 4, 2, 16, 5, 4, 13);
      const k = c.allocCache(a.k.length),
        v = c.allocCache(a.v.length);
      k.set(a.k);
      v.set(a.v);
      const copied = c.attention({ ...a, weights: true });
      const inPlace = c.attention({ ...a, k, v, weights: true });
      expect(Array.from(inPlace.out)).toEqual(Array.from(copied.out));
      expect(Array.from(inPlace.weights!)).toEqual(Array.from(copied.weights!));
      // Written after: the next call sees the new keys (nothing was cached on the side).
      k.fill(0);
      const zeroKeys = c.attention({ ...a, k, v, weights: true });
      expect(zeroKeys.weights![5]).toBeCloseTo(1 / 6, 6); // all scores equal: uniform over 6 keys
    } finally {
      c.close();
    }
  });

  it('refuses heads that do not group into K/V heads, and a cache too short', () => {
    const c = computes[0]!;
    expect(() => c.attention({ ...input(2, 3, 2, 4, 0, 0, 1) })).toThrow(/3 heads do not split into 2/);
    const a = input(4, 2, 2, 4, 3, 0, 1);
    expect(() => c.attention({ ...a, k: a.k.subarray(0, 10) })).toThrow(/holds fewer than 7 positions/);
  });
});
