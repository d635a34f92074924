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
  const kvC = kvHeads * d;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(d);
  const out = g.output([T, C], q, k, v);
  const W = g.buffer(heads * T * T, true);
  const Q = q.data,
    K = k.data,
    V = v.data,
    O = out.data;
  // Scores of every head and query first, so a hook can see (or replace) them all; each row's
  // operations are the same, in the same order, as the composed path's.
  for (let h = 0; h < heads; h++) {
    const qc = h * d,
      kc = Math.floor(h / group) * d,
      wh = h * T * T;
    for (let i = 0; i < T; i++)
      for (let j = 0; j <= i; j++) {
        let s = dot(Q, i * C + qc, K, j * kvC + kc, d) * scale;
        // ALiBi: a constant penalty growing with distance, so no gradient flows through it
        if (alibiSlopes) s -= alibiSlopes[h] * (i - j);
        W[wh + i * T + j] = s;
      }
  }
  if (visit?.scores) visitMasked(W, heads, T, -Infinity, visit.scores);
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
  if (visit?.pattern) visitMasked(W, heads, T, 0, visit.pattern);
  for (let h = 0; h < heads; h++) {
    const qc = h * d,
      kc = Math.floor(h / group) * d,
      wh = h * T * T;
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
  g.record(out, () => {
    const G = out.grad!,
      dQ = q.grad,
      dK = k.grad,
      dV = v.grad;
    const dA = g.buffer(T);
    for (let h = 0; h < heads; h++) {
      const qc = h * d,
        kc = Math.floor(h / group) * d,
        wh = h * T * T;
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
  });
  const weights = Array.from({ length: heads }, (_, h) => new Tensor([T, T], W.subarray(h * T * T, (h + 1) * T * T)));
  return { out, weights };
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
