/**
 * Causal self-attention of the float32 path over a KV cache, on the compute
 * kernel (src/compute): query head h reads K/V head ⌊h·kv/heads⌋ (grouped-query
 * attention), a query at position i sees keys 0..i (within the sliding window
 * where there is one), scores scaled by 1/√d, softmax in float64. When a hook
 * wants the scores or the pattern, the kernel also returns every head's
 * [T, total] matrix to show it (masked keys −Infinity in the scores, 0 in the
 * pattern; they stay masked whatever the hook writes). Only when a hook
 * changed them is the rest redone here from what it left — the same float32
 * weighted sum the kernel makes, so reading never changes a bit.
 */
import type { Compute } from '../../compute/index.js';
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
  c: Compute,
  site: HookSite,
  at: string,
  q: Float32Array,
  K: Float32Array,
  V: Float32Array,
  a: AttentionShape,
): Float32Array {
  const { T, start, heads: H, d } = a;
  const scoresName = `${at}attn.hook_attn_scores`,
    patternName = `${at}attn.hook_pattern`;
  const wantsScores = site.wants(scoresName),
    wantsPattern = site.wants(patternName);
  const r = c.attention({
    q,
    T,
    heads: H,
    kvHeads: a.kvHeads,
    d,
    k: K,
    v: V,
    start,
    window: a.window ?? 0,
    scale: 1 / Math.sqrt(d),
    weights: wantsScores || wantsPattern,
    scores: wantsScores,
  });
  if (!wantsScores && !wantsPattern) return r.out;
  const total = start + T;
  const visible = (row: number) => {
    const i = start + (row % T);
    return [a.window === null ? 0 : Math.max(0, i - a.window + 1), i] as const;
  };
  let P = r.weights!,
    changed = false;
  if (wantsScores) {
    const S = r.scores!;
    if (showChanged(site, scoresName, S, H, T, total, visible, -Infinity)) {
      P = softmaxRows(S, H * T, total, visible);
      changed = true;
    }
  }
  if (wantsPattern && showChanged(site, patternName, P, H, T, total, visible, 0)) changed = true;
  return changed ? weightedSums(P, V, a, visible) : r.out;
}

/**
 * Shows the hooks every head's [T, total] matrix; masked entries are put back
 * to `masked` whatever they wrote. True when a visible entry changed.
 */
function showChanged(
  site: HookSite,
  name: string,
  M: Float64Array,
  H: number,
  T: number,
  total: number,
  visible: (row: number) => readonly [number, number],
  masked: number,
): boolean {
  const seen = M.slice();
  site.emit(name, M, [H, T, total]);
  let changed = false;
  for (let row = 0; row < H * T; row++) {
    const [lo, hi] = visible(row);
    for (let j = 0; j < total; j++) {
      const at = row * total + j;
      if (j < lo || j > hi) M[at] = masked;
      else if (M[at] !== seen[at]) changed = true;
    }
  }
  return changed;
}

/** Softmax of each row's visible scores (float64, from the largest); masked ones 0. */
function softmaxRows(
  S: Float64Array,
  rows: number,
  total: number,
  visible: (row: number) => readonly [number, number],
): Float64Array {
  const P = new Float64Array(rows * total);
  const e = new Float64Array(total);
  for (let row = 0; row < rows; row++) {
    const [lo, hi] = visible(row),
      o = row * total;
    let max = -Infinity,
      sum = 0;
    for (let j = lo; j <= hi; j++) if (S[o + j]! > max) max = S[o + j]!;
    for (let j = lo; j <= hi; j++) sum += e[j] = Math.exp(S[o + j]! - max);
    for (let j = lo; j <= hi; j++) P[o + j] = e[j]! / sum;
  }
  return P;
}

/**
 * out[t, h] = Σ_j P[h, t, j] · V[j, kv(h)] over the visible keys, each weight
 * rounded to float32, summed in float32 in order of j: the compute kernel's
 * sum (assembly/attention.ts), bit for bit.
 */
function weightedSums(
  P: Float64Array,
  V: Float32Array,
  a: AttentionShape,
  visible: (row: number) => readonly [number, number],
): Float32Array {
  const { T, start, heads: H, kvHeads: KV, d } = a;
  const total = start + T,
    kvW = KV * d,
    fround = Math.fround;
  const out = new Float32Array(T * H * d);
  for (let h = 0; h < H; h++) {
    const kvOff = Math.floor((h * KV) / H) * d;
    for (let t = 0; t < T; t++) {
      const row = h * T + t,
        [lo, hi] = visible(row),
        o = (t * H + h) * d;
      for (let j = lo; j <= hi; j++) {
        const p = fround(P[row * total + j]!),
          vo = j * kvW + kvOff;
        for (let e = 0; e < d; e++) out[o + e] = fround(out[o + e]! + fround(p * V[vo + e]!));
      }
    }
  }
  return out;
}
