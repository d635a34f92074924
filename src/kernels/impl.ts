import {
  add,
  addCausalMask,
  causalAttention,
  concatCols,
  gather,
  matmul,
  matmulT,
  relu,
  rmsnormRows,
  scale,
  sliceCols,
  softmaxRows,
  type Graph,
  type Tensor,
} from '../tensor/index.js';
import type { AttentionKernel, MlpKernel, PositionKernel } from './types.js';

/**
 * Causal multi-head attention with the fused attention op: Q, K, V
 * projections, all heads in one op, then the output projection.
 */
export const mha: AttentionKernel = (g, x, w, nHead, tap) => {
  const q = matmulT(g, x, w.wq);
  const k = matmulT(g, x, w.wk);
  const v = matmulT(g, x, w.wv);
  const { out, weights } = causalAttention(g, q, k, v, nHead);
  if (tap) {
    const dk = q.cols / nHead;
    for (let h = 0; h < nHead; h++) tap(`head ${h}`, sliceCols(g, out, h * dk, dk));
  }
  return { out: matmulT(g, out, w.wo), weights };
};

/**
 * The same attention composed from primitive ops, step by step as the
 * equation reads: per head h, softmax(Q_h·K_hᵀ/√d_k + mask)·V_h,
 * heads concatenated, then the output projection. Heads are consecutive blocks
 * of d_k columns of Q, K and V (rows of the [out, in] weights).
 */
export const mhaReference: AttentionKernel = (g, x, w, nHead, tap) => {
  const q = matmulT(g, x, w.wq);
  const k = matmulT(g, x, w.wk);
  const v = matmulT(g, x, w.wv);
  const dk = q.cols / nHead;
  const heads: Tensor[] = [];
  const weights: Tensor[] = [];
  for (let h = 0; h < nHead; h++) {
    const qh = sliceCols(g, q, h * dk, dk);
    const kh = sliceCols(g, k, h * dk, dk);
    const vh = sliceCols(g, v, h * dk, dk);
    const scores = addCausalMask(g, scale(g, matmulT(g, qh, kh), 1 / Math.sqrt(dk)));
    const att = softmaxRows(g, scores);
    weights.push(att);
    heads.push(matmul(g, att, vh));
    tap?.(`head ${h}`, heads[h]);
  }
  return { out: matmulT(g, concatCols(g, heads), w.wo), weights };
};

export const reluMlp: MlpKernel = (g, x, w, act, tap) => {
  const up = matmulT(g, x, w.fc1);
  tap?.('mlp fc1', up);
  const a = act(g, up);
  tap?.('mlp activation', a);
  return matmulT(g, a, w.fc2);
};

/** Learned absolute positions: row t of wpe is added to the token at position t. */
export const learnedPositions: PositionKernel = (g: Graph, tokens: Tensor, wpe: Tensor) => add(g, tokens, gather(g, wpe, POSITIONS.subarray(0, tokens.rows)));

/** 0, 1, 2, … shared by every call, so a forward pass allocates no position list. */
const POSITIONS = Int32Array.from({ length: 4096 }, (_, i) => i);

export { relu, rmsnormRows as rmsnorm };
