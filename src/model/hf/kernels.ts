/**
 * The float32 path's kernels beyond what src/compute runs: norms with their
 * hook points, RoPE frequencies, Qwen3's per-head norm, embedding rows, and
 * the plain JavaScript matrix product and RoPE the compute kernels replaced
 * (kept as references: tests check against them, the bench shows the "before").
 */
import type { Compute, Matrix } from '../../compute/index.js';
import type { HookSite } from '../../engine/site.js';
import type { Sites } from './batch.js';
import type { HfSpec } from './spec.js';
import type { NormWeights } from './weights.js';

/** Σ_i x[xo + i] · W[wo + i], two accumulators. */
function dot(x: Float32Array, xo: number, W: Float32Array, wo: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += x[xo + i]! * W[wo + i]!;
    s1 += x[xo + i + 1]! * W[wo + i + 1]!;
  }
  if (i < n) s0 += x[xo + i]! * W[wo + i]!;
  return s0 + s1;
}

/**
 * y[t] = W·x[t] + b for T rows; W is [out, in]. Blocks of 4 outputs × 4 rows
 * keep 16 sums in registers, so each value loaded from W or x is used four
 * times (the plain loop used each once); the edges fall back to single dots.
 */
export function linear(
  x: Float32Array,
  T: number,
  inDim: number,
  W: Float32Array,
  outDim: number,
  bias: Float32Array | null,
): Float32Array {
  const y = new Float32Array(T * outDim);
  const O4 = outDim - (outDim % 4),
    T4 = T - (T % 4);
  for (let o = 0; o < O4; o += 4) {
    const w0 = o * inDim,
      w1 = w0 + inDim,
      w2 = w1 + inDim,
      w3 = w2 + inDim;
    for (let t = 0; t < T4; t += 4) {
      const x0 = t * inDim,
        x1 = x0 + inDim,
        x2 = x1 + inDim,
        x3 = x2 + inDim;
      let a00 = 0,
        a01 = 0,
        a02 = 0,
        a03 = 0;
      let a10 = 0,
        a11 = 0,
        a12 = 0,
        a13 = 0;
      let a20 = 0,
        a21 = 0,
        a22 = 0,
        a23 = 0;
      let a30 = 0,
        a31 = 0,
        a32 = 0,
        a33 = 0;
      for (let i = 0; i < inDim; i++) {
        const v0 = x[x0 + i]!,
          v1 = x[x1 + i]!,
          v2 = x[x2 + i]!,
          v3 = x[x3 + i]!;
        const k0 = W[w0 + i]!,
          k1 = W[w1 + i]!,
          k2 = W[w2 + i]!,
          k3 = W[w3 + i]!;
        a00 += v0 * k0;
        a01 += v0 * k1;
        a02 += v0 * k2;
        a03 += v0 * k3;
        a10 += v1 * k0;
        a11 += v1 * k1;
        a12 += v1 * k2;
        a13 += v1 * k3;
        a20 += v2 * k0;
        a21 += v2 * k1;
        a22 += v2 * k2;
        a23 += v2 * k3;
        a30 += v3 * k0;
        a31 += v3 * k1;
        a32 += v3 * k2;
        a33 += v3 * k3;
      }
      const b0 = bias ? bias[o]! : 0,
        b1 = bias ? bias[o + 1]! : 0,
        b2 = bias ? bias[o + 2]! : 0,
        b3 = bias ? bias[o + 3]! : 0;
      let r = t * outDim + o;
      y[r] = a00 + b0;
      y[r + 1] = a01 + b1;
      y[r + 2] = a02 + b2;
      y[r + 3] = a03 + b3;
      r += outDim;
      y[r] = a10 + b0;
      y[r + 1] = a11 + b1;
      y[r + 2] = a12 + b2;
      y[r + 3] = a13 + b3;
      r += outDim;
      y[r] = a20 + b0;
      y[r + 1] = a21 + b1;
      y[r + 2] = a22 + b2;
      y[r + 3] = a23 + b3;
      r += outDim;
      y[r] = a30 + b0;
      y[r + 1] = a31 + b1;
      y[r + 2] = a32 + b2;
      y[r + 3] = a33 + b3;
    }
  }
  // Edges: the last T % 4 rows for every output, and the last outDim % 4 outputs for every row.
  for (let o = 0; o < outDim; o++) {
    const b = bias ? bias[o]! : 0;
    for (let t = o < O4 ? T4 : 0; t < T; t++) y[t * outDim + o] = dot(x, t * inDim, W, o * inDim, inDim) + b;
  }
  return y;
}

/** Mean (LayerNorm; 0 for RMSNorm) and scale √(var + eps) of row r, in float64 as the compute kernel sums them. */
function rowStats(x: Float32Array, r: number, C: number, kind: 'layernorm' | 'rmsnorm', eps: number) {
  let m = 0;
  if (kind === 'layernorm') {
    for (let i = 0; i < C; i++) m += x[r * C + i]!;
    m /= C;
  }
  let sq = 0;
  for (let i = 0; i < C; i++) {
    const d = x[r * C + i]! - m;
    sq += d * d;
  }
  return { mean: m, scale: Math.sqrt(sq / C + eps) };
}

/**
 * A norm at hook point `at` ("blocks.0.ln1.") on the stacked rows of every
 * variant: each row of width C centred (LayerNorm) and divided by its scale
 * (the compute kernel), shown to the hooks as hook_scale [T, 1] (to a variant
 * whose hooks want it) and hook_normalized, then the learned weight — γ, or
 * Gemma's (1 + γ) — and bias applied. A replaced scale or normalised stream
 * takes effect.
 */
export function normalize(
  c: Compute,
  S: Sites,
  at: string,
  x: Float32Array,
  C: number,
  kind: 'layernorm' | 'rmsnorm',
  eps: number,
  p: NormWeights,
  offset: boolean,
): Float32Array {
  const R = x.length / C,
    T = R / S.B;
  const y = c.norm(x, R, C, { kind, eps });
  const scaleName = at + 'hook_scale';
  S.list.forEach((site, v) => {
    if (site.wants(scaleName)) rescale(site, scaleName, x, y, v * T, T, C, kind, eps);
  });
  S.emit(at + 'hook_normalized', y, [T, C]);
  const w = p.weight,
    b = p.bias,
    one = offset ? 1 : 0;
  for (let r = 0; r < R; r++)
    for (let i = 0; i < C; i++) y[r * C + i] = y[r * C + i]! * (one + w[i]!) + (b ? b[i]! : 0);
  return y;
}

/** Shows one variant's row scales; a row whose scale a hook changed is normalised again by the new one. */
function rescale(
  site: HookSite,
  name: string,
  x: Float32Array,
  y: Float32Array,
  first: number,
  T: number,
  C: number,
  kind: 'layernorm' | 'rmsnorm',
  eps: number,
): void {
  const stats = Array.from({ length: T }, (_, t) => rowStats(x, first + t, C, kind, eps));
  const s = Float32Array.from(stats, (st) => st.scale);
  site.emit(name, s, [T, 1]);
  // Only a changed scale is taken back: reading leaves the kernel's rows as they were.
  stats.forEach((st, t) => {
    if (s[t] === Math.fround(st.scale)) return;
    const r = first + t,
      inv = 1 / s[t]!;
    for (let i = 0; i < C; i++) y[r * C + i] = (x[r * C + i]! - st.mean) * inv;
  });
}

/**
 * Inverse frequencies θ^(−2i/r) over the r = rotaryDims dimensions RoPE turns,
 * with Llama 3's scaling where the config asks for it.
 */
export function ropeFrequencies(s: HfSpec): Float64Array {
  const r = s.rotaryDims,
    half = r / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / s.ropeTheta ** ((2 * i) / r);
  const sc = s.ropeScaling;
  if (!sc) return inv;
  const lowWavelen = sc.originalContext / sc.lowFreqFactor;
  const highWavelen = sc.originalContext / sc.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i]!;
    if (wavelen > lowWavelen) inv[i] = inv[i]! / sc.factor;
    else if (wavelen >= highWavelen) {
      const smooth = (sc.originalContext / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
      inv[i] = (1 - smooth) * (inv[i]! / sc.factor) + smooth * inv[i]!;
    }
  }
  return inv;
}

/**
 * Rotates each head's vector at positions start.. by rotate_half over its
 * first r = 2·inv.length dims: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin),
 * pairs i and i + r/2. Dims past r (partial rotary) are left as they are.
 */
export function rope(x: Float32Array, T: number, heads: number, d: number, start: number, inv: Float64Array): void {
  const half = inv.length;
  for (let t = 0; t < T; t++)
    for (let i = 0; i < half; i++) {
      const angle = (start + t) * inv[i]!;
      const cos = Math.cos(angle),
        sin = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const p = (t * heads + h) * d + i;
        const x1 = x[p]!,
          x2 = x[p + half]!;
        x[p] = x1 * cos - x2 * sin;
        x[p + half] = x2 * cos + x1 * sin;
      }
    }
}

/** Per-head RMSNorm of q or k in place (Qwen3's QK-norm). */
export function headNorm(x: Float32Array, rows: number, d: number, w: Float32Array, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const p = r * d;
    let sq = 0;
    for (let i = 0; i < d; i++) sq += x[p + i]! * x[p + i]!;
    const inv = 1 / Math.sqrt(sq / d + eps);
    for (let i = 0; i < d; i++) x[p + i] = x[p + i]! * inv * w[i]!;
  }
}

/** x ← x + y: a residual add (a float32 sum, as the compute kernel's). */
export function addInto(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i]! += y[i]!;
}

/** Rows `ids` of the embedding table, times the family's scale (Gemma's √hidden) where it has one. */
export function embedRows(
  ids: readonly number[],
  table: Pick<Matrix, 'cols' | 'row'>,
  scale: number | null,
): Float32Array {
  const C = table.cols,
    x = new Float32Array(ids.length * C);
  ids.forEach((id, t) => table.row(id, x.subarray(t * C, (t + 1) * C)));
  if (scale !== null) for (let i = 0; i < x.length; i++) x[i]! *= scale;
  return x;
}
