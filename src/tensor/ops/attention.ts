import type { Graph } from '../graph.js';
import { Tensor } from '../tensor.js';
import { expect2d, expectSameShape } from './check.js';
import { dot } from './linalg.js';

/** Hooks on the scores and on the weights, each [heads, T, T]: they may overwrite the visible (causal) entries. */
export interface AttentionVisits {
  scores?: (scores: Float64Array) => void;
  pattern?: (weights: Float64Array) => void;
}

export interface AttentionOutput {
  /** Heads' outputs side by side, [T, C]. */
  out: Tensor;
  /** Per head, the [T, T] attention weights (views into one buffer; zero above the diagonal). */
  weights: Tensor[];
}

/**
 * Causal scaled dot-product attention for all heads in one op: per head h,
 * A_h = softmax(Q_h·K_hᵀ·scale + M) and O_h = A_h·V_h, where head h owns
 * columns [h·d, (h+1)·d). `kvHeads` < `heads` shares each K/V head among
 * heads / kvHeads query heads (GQA; 1 is MQA). Fusing avoids ~8 ops per head
 * and their buffers; it computes the same floating-point operations in the
 * same order as the composed path (slice, matmulT, scale, mask, softmax,
 * matmul, concat), so its forward result is bit-identical. Masked weights
 * are exactly 0, as exp(−1e9 − max) is. `alibiSlopes` (one per head) adds
 * ALiBi's bias −m_h·(i − j) to the scores.
 */
export function causalAttention(
  g: Graph,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  heads: number,
  kvHeads = heads,
  alibiSlopes?: readonly number[],
  visit?: AttentionVisits,
): AttentionOutput {
  expect2d('causalAttention', q);
  expectSameShape('causalAttention', k, v);
  const [T, C] = q.shape;
  const d = C / heads;
  if (!Number.isInteger(d) || heads % kvHeads !== 0 || k.shape[0] !== T || k.shape[1] !== kvHeads * d) {
    throw new Error(
      `causalAttention: q [${q.shape.join(', ')}] with ${heads} heads does not fit k/v [${k.shape.join(', ')}] with ${kvHeads} kv heads`,
    );
  }
  const dims: Dims = { T, C, d, kvC: kvHeads * d, group: heads / kvHeads, heads, scale: 1 / Math.sqrt(d) };
  const out = g.output([T, C], q, k, v);
  const W = g.buffer(heads * T * T, true);
  // Scores of every head and query first, so a hook can see (or replace) them all; each row's
  // operations are the same, in the same order, as the composed path's.
  scoresInto(W, q.data, k.data, dims, alibiSlopes);
  if (visit?.scores) visitMasked(W, heads, T, -Infinity, visit.scores);
  softmaxRows(W, heads, T);
  if (visit?.pattern) visitMasked(W, heads, T, 0, visit.pattern);
  weightedValuesInto(out.data, W, v.data, dims);
  g.record(out, () => attentionBackward(g, dims, W, q, k, v, out.grad!));
  const weights = Array.from({ length: heads }, (_, h) => new Tensor([T, T], W.subarray(h * T * T, (h + 1) * T * T)));
  return { out, weights };
}

/** Sizes of one attention call: T positions, C = heads·d columns of Q, kvC of K and V, `group` query heads per K/V head. */
interface Dims {
  T: number;
  C: number;
  d: number;
  kvC: number;
  group: number;
  heads: number;
  scale: number;
}

/** Where head h's columns start in Q (and the output) and in K/V, and its [T, T] block in W. */
const offsets = (h: number, { d, group, T }: Dims) => ({ qc: h * d, kc: Math.floor(h / group) * d, wh: h * T * T });

/** W[h, i, j] = Q_h[i]·K_h[j]·scale (− ALiBi's m_h·(i − j)) for j ≤ i; the entries above the diagonal are left alone. */
function scoresInto(W: Float64Array, Q: Float64Array, K: Float64Array, dims: Dims, alibiSlopes?: readonly number[]) {
  const { T, C, d, kvC, scale } = dims;
  for (let h = 0; h < dims.heads; h++) {
    const { qc, kc, wh } = offsets(h, dims);
    for (let i = 0; i < T; i++)
      for (let j = 0; j <= i; j++) {
        let s = dot(Q, i * C + qc, K, j * kvC + kc, d) * scale;
        // ALiBi: a constant penalty growing with distance, so no gradient flows through it
        if (alibiSlopes) s -= alibiSlopes[h] * (i - j);
        W[wh + i * T + j] = s;
      }
  }
}

/** Softmax of every row's visible entries (j ≤ i), in place. */
function softmaxRows(W: Float64Array, heads: number, T: number) {
  for (let r = 0; r < heads * T; r++) {
    const i = r % T,
      wr = r * T;
    let max = -Infinity;
    for (let j = 0; j <= i; j++) if (W[wr + j] > max) max = W[wr + j];
    let total = 0;
    for (let j = 0; j <= i; j++) {
      const e = Math.exp(W[wr + j] - max);
      W[wr + j] = e;
      total += e;
    }
    for (let j = 0; j <= i; j++) W[wr + j] /= total;
  }
}

/** O_h = A_h·V_h, every head's output in its own columns of O. */
function weightedValuesInto(O: Float64Array, W: Float64Array, V: Float64Array, dims: Dims) {
  const { T, C, d, kvC } = dims;
  for (let h = 0; h < dims.heads; h++) {
    const { qc, kc, wh } = offsets(h, dims);
    for (let i = 0; i < T; i++) {
      const wr = wh + i * T;
      for (let p = 0; p < d; p++) {
        let s = 0;
        for (let j = 0; j <= i; j++) {
          const a = W[wr + j];
          if (a !== 0) s += a * V[j * kvC + kc + p];
        }
        O[i * C + qc + p] = s;
      }
    }
  }
}

/** The backward pass: from dO (G) to dQ, dK, dV through A·V, the softmax and the scaled product. */
function attentionBackward(g: Graph, dims: Dims, W: Float64Array, q: Tensor, k: Tensor, v: Tensor, G: Float64Array) {
  const { T, C, d, kvC, scale } = dims;
  const [Q, K, V] = [q.data, k.data, v.data];
  const [dQ, dK, dV] = [q.grad, k.grad, v.grad];
  const dA = g.buffer(T);
  for (let h = 0; h < dims.heads; h++) {
    const { qc, kc, wh } = offsets(h, dims);
    for (let i = 0; i < T; i++) {
      const wr = wh + i * T;
      // dA_ij = Σ_p dO_ip·V_jp; dV_jp += A_ij·dO_ip
      let dot = 0;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        const a = W[wr + j];
        for (let p = 0; p < d; p++) {
          const go = G[i * C + qc + p];
          s += go * V[j * kvC + kc + p];
          if (dV) dV[j * kvC + kc + p] += a * go;
        }
        dA[j] = s;
        dot += a * s;
      }
      // softmax backward, then through the scaled product
      for (let j = 0; j <= i; j++) {
        const ds = W[wr + j] * (dA[j] - dot) * scale;
        if (ds === 0) continue;
        for (let p = 0; p < d; p++) {
          if (dQ) dQ[i * C + qc + p] += ds * K[j * kvC + kc + p];
          if (dK) dK[j * kvC + kc + p] += ds * Q[i * C + qc + p];
        }
      }
    }
  }
}

/**
 * Shows a hook all heads' [T, T] matrices with the masked (future) entries set
 * to `masked`; afterwards those entries are put back to 0, whatever the hook
 * wrote there: the mask is not the hook's to lift.
 */
function visitMasked(W: Float64Array, heads: number, T: number, masked: number, visit: (m: Float64Array) => void) {
  const view = W.subarray(0, heads * T * T);
  for (let r = 0; r < heads * T; r++) for (let j = (r % T) + 1; j < T; j++) view[r * T + j] = masked;
  visit(view);
  for (let r = 0; r < heads * T; r++) for (let j = (r % T) + 1; j < T; j++) view[r * T + j] = 0;
}
