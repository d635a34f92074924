/**
 * Plain float64 references for the compute kernels, written as directly as
 * the maths reads (no tiling, no SIMD), and the weights' values decoded here
 * from their bits by the IEEE definitions (independently of src/compute).
 */
import { Rng } from '../../src/tensor/index.js';
import type { Compute, Dtype, Matrix } from '../../src/compute/index.js';

export const U = 2 ** -24; // float32 unit roundoff

/** Value of an IEEE binary16 bit pattern, from the definition. */
export function halfValue(h: number): number {
  const sign = h >> 15 ? -1 : 1,
    e = (h >> 10) & 31,
    f = h & 1023;
  if (e === 31) return f ? NaN : sign * Infinity;
  return e === 0 ? sign * f * Math.pow(2, -24) : sign * Math.pow(2, e - 15) * (1 + f / 1024);
}

/** Value of a bfloat16 bit pattern: the float32 whose top 16 bits they are. */
export function bf16Value(b: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint16(0, b, false);
  return v.getFloat32(0, false);
}

/** A matrix of random values in `dtype`, and the values (float64) it holds. */
export function randomMatrix(
  c: Compute,
  dtype: Dtype,
  rows: number,
  cols: number,
  rng: Rng,
): { W: Matrix; values: Float64Array } {
  const W = c.allocMatrix(dtype, rows, cols);
  const values = new Float64Array(rows * cols);
  const view = new DataView(W.bytes.buffer, W.bytes.byteOffset, W.bytes.byteLength);
  for (let i = 0; i < rows * cols; i++) {
    const g = rng.gauss(0, 1);
    if (dtype === 'F32') {
      view.setFloat32(4 * i, g, true);
      values[i] = view.getFloat32(4 * i, true);
    } else {
      // Random normal-range bits near N(0, 1): sign, an exponent around 0, any mantissa.
      const bits =
        dtype === 'BF16'
          ? (g < 0 ? 0x8000 : 0) | ((124 + rng.int(5)) << 7) | rng.int(128)
          : (g < 0 ? 0x8000 : 0) | ((12 + rng.int(5)) << 10) | rng.int(1024);
      view.setUint16(2 * i, bits, true);
      values[i] = dtype === 'BF16' ? bf16Value(bits) : halfValue(bits);
    }
  }
  return { W, values };
}

export function randomVector(n: number, rng: Rng, sd = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.gauss(0, sd));
}

/**
 * y = x·Wᵀ + b in float64, and for each output the bound on a float32
 * sequential sum's error: (K + 2)·u·Σ|x·w| + u·|b| (the classic γ_K bound,
 * with room for the product's and the bias's rounding).
 */
export function linearReference(
  x: Float32Array,
  T: number,
  K: number,
  W: Float64Array,
  O: number,
  b: Float32Array | null,
): { y: Float64Array; bound: Float64Array } {
  const y = new Float64Array(T * O),
    bound = new Float64Array(T * O);
  for (let t = 0; t < T; t++)
    for (let o = 0; o < O; o++) {
      let s = 0,
        abs = 0;
      for (let k = 0; k < K; k++) {
        const p = x[t * K + k]! * W[o * K + k]!;
        s += p;
        abs += Math.abs(p);
      }
      const bias = b ? b[o]! : 0;
      y[t * O + o] = s + bias;
      bound[t * O + o] = 1.01 * ((K + 2) * U * abs + 2 * U * Math.abs(s + bias)) + 1e-45;
    }
  return { y, bound };
}

/** 2/√π·∫ e^(−t²) dt from a to b by Simpson's rule, 20,000 intervals. */
function gaussIntegral(a: number, b: number): number {
  const n = 20000,
    h = (b - a) / n;
  let s = Math.exp(-a * a) + Math.exp(-b * b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((a + i * h) ** 2));
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}

/**
 * erfc(x) for x ≥ 0 as the tail integral from x to x + 40/(2x + 1) (beyond,
 * the integrand is below e^-40 of its start), accurate relative to its size.
 */
export function erfcReference(x: number): number {
  return gaussIntegral(x, x + 40 / (2 * x + 1));
}

/** erf by Simpson's rule: from 0 below 2, as 1 − the tail above. */
export function erfReference(x: number): number {
  const a = Math.abs(x);
  return Math.sign(x) * (a < 2 ? gaussIntegral(0, a) : 1 - erfcReference(a));
}

/** Causal attention in float64: out [T, H, d] and weights [H, T, start + T]. */
export function attentionReference(a: {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  T: number;
  heads: number;
  kvHeads: number;
  d: number;
  start: number;
  window?: number;
  scale: number | Float64Array;
}): { out: Float64Array; weights: Float64Array } {
  const { T, heads: H, kvHeads: KV, d, start } = a;
  const total = start + T;
  const out = new Float64Array(T * H * d),
    weights = new Float64Array(H * T * total);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / (H / KV)); // query heads in groups of H/KV share a K/V head
    const scale = typeof a.scale === 'number' ? a.scale : a.scale[h]!;
    for (let t = 0; t < T; t++) {
      const pos = start + t;
      const visible = (j: number) => j <= pos && (!a.window || pos - j < a.window);
      const s: number[] = [];
      for (let j = 0; j < total; j++) {
        if (!visible(j)) continue;
        let dot = 0;
        for (let e = 0; e < d; e++) dot += a.q[(t * H + h) * d + e]! * a.k[(j * KV + g) * d + e]!;
        s[j] = dot * scale;
      }
      const m = Math.max(...s.filter((v) => v !== undefined));
      let z = 0;
      for (let j = 0; j < total; j++) if (visible(j)) z += Math.exp(s[j]! - m);
      for (let j = 0; j < total; j++) {
        if (!visible(j)) continue;
        const w = Math.exp(s[j]! - m) / z;
        weights[(h * T + t) * total + j] = w;
        for (let e = 0; e < d; e++) out[(t * H + h) * d + e] += w * a.v[(j * KV + g) * d + e]!;
      }
    }
  }
  return { out, weights };
}

export const rngFor = (...seeds: number[]) => new Rng(seeds.reduce((s, v) => s * 7919 + v, 17));
