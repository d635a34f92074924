/**
 * Causal self-attention of the float32 path over a KV cache: query head h
 * reads K/V head ⌊h·kv/heads⌋ (grouped-query attention), a query at position i
 * sees keys 0..i (within the sliding window where there is one), scores are
 * scaled by 1/√d, softmax in float64. When a hook wants the scores or the
 * pattern, every head's [T, total] matrix is materialised and shown to it
 * (masked keys as −Infinity in the scores, 0 in the pattern; they stay
 * masked whatever the hook writes), and the weighted sum uses what it left.
 */
import type { HookSite } from '../../engine/site.js';

export interface AttentionShape {
  /** New positions (queries). */
  T: number;
  /** Positions already in the cache before them. */
  start: number;
  heads: number;
  kvHeads: number;
  d: number;
  /** A query sees at most this many keys, itself included (Mistral); null: all earlier keys. */
  window: number | null;
}

/** Heads' outputs [T, heads·d] for queries q [T, heads·d] over keys and values [start + T, kvHeads·d]. */
export function causalAttention(
  site: HookSite,
  at: string,
  q: Float32Array,
  K: Float32Array,
  V: Float32Array,
  a: AttentionShape,
): Float32Array {
  const { T, start, heads: H, d } = a;
  const total = start + T,
    kvW = a.kvHeads * d,
    group = H / a.kvHeads,
    scale = 1 / Math.sqrt(d);
  const first = (i: number) => (a.window === null ? 0 : Math.max(0, i - a.window + 1));
  const out = new Float32Array(T * H * d);
  const scoresName = `${at}attn.hook_attn_scores`,
    patternName = `${at}attn.hook_pattern`;
  const whole = site.wants(scoresName) || site.wants(patternName);
  // One row of weights at a time, or every head's [T, total] matrix when a hook looks at them.
  const P = new Float64Array(whole ? H * T * total : total);
  for (let h = 0; h < H; h++) {
    const kvOff = Math.floor(h / group) * d;
    for (let t = 0; t < T; t++) {
      const i = start + t,
        row = whole ? (h * T + t) * total : 0,
        qo = (t * H + h) * d;
      for (let j = first(i); j <= i; j++) {
        let dot = 0;
        const ko = j * kvW + kvOff;
        for (let e = 0; e < d; e++) dot += q[qo + e]! * K[ko + e]!;
        P[row + j] = dot * scale;
      }
      if (!whole) {
        softmaxRow(P, 0, first(i), i);
        weightedSum(P, 0, first(i), i, V, kvW, kvOff, out, qo, d);
      }
    }
  }
  if (!whole) return out;
  const visible = (r: number) => {
    const i = start + (r % T);
    return [first(i), i] as const;
  };
  if (site.wants(scoresName)) showMasked(site, scoresName, P, H, T, total, visible, -Infinity);
  for (let r = 0; r < H * T; r++) softmaxRow(P, r * total, ...visible(r));
  showMasked(site, patternName, P, H, T, total, visible, 0);
  for (let h = 0; h < H; h++)
    for (let t = 0; t < T; t++) {
      const r = h * T + t;
      weightedSum(P, r * total, ...visible(r), V, kvW, Math.floor(h / group) * d, out, (t * H + h) * d, d);
    }
  return out;
}

/** Softmax of P[row + lo .. row + hi] in place, from the largest score. */
function softmaxRow(P: Float64Array, row: number, lo: number, hi: number): void {
  let max = -Infinity;
  for (let j = lo; j <= hi; j++) if (P[row + j]! > max) max = P[row + j]!;
  let sum = 0;
  for (let j = lo; j <= hi; j++) sum += P[row + j] = Math.exp(P[row + j]! - max);
  for (let j = lo; j <= hi; j++) P[row + j]! /= sum;
}

/** out[oo..oo+d] = Σ_j P[row + j] · V[j, kvOff..kvOff+d]. */
function weightedSum(
  P: Float64Array,
  row: number,
  lo: number,
  hi: number,
  V: Float32Array,
  kvW: number,
  kvOff: number,
  out: Float32Array,
  oo: number,
  d: number,
): void {
  for (let j = lo; j <= hi; j++) {
    const w = P[row + j]!,
      vo = j * kvW + kvOff;
    for (let e = 0; e < d; e++) out[oo + e]! += w * V[vo + e]!;
  }
}

/**
 * Shows the hook every head's [T, total] matrix (in float64, as softmax runs
 * here) with masked keys set to `masked`; reads back the visible ones.
 */
function showMasked(
  site: HookSite,
  name: string,
  P: Float64Array,
  H: number,
  T: number,
  total: number,
  visible: (r: number) => readonly [number, number],
  masked: number,
): void {
  const m = new Float64Array(H * T * total).fill(masked);
  for (let r = 0; r < H * T; r++) {
    const [lo, hi] = visible(r);
    for (let j = lo; j <= hi; j++) m[r * total + j] = P[r * total + j]!;
  }
  site.emit(name, m, [H, T, total]);
  for (let r = 0; r < H * T; r++) {
    const [lo, hi] = visible(r);
    for (let j = lo; j <= hi; j++) P[r * total + j] = m[r * total + j]!;
  }
}
