import {
  add,
  addCausalMask,
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
 * Causal multi-head attention: per head h, softmax(Q_h·K_hᵀ/√d_k + mask)·V_h,
 * heads concatenated, then the output projection. Heads are consecutive blocks
 * of d_k columns of Q, K and V (rows of the [out, in] weights).
 */
export const mha: AttentionKernel = (g, x, w, nHead, tap) => {
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
export const learnedPositions: PositionKernel = (g: Graph, tokens: Tensor, wpe: Tensor) => {
  const positions = Array.from({ length: tokens.rows }, (_, t) => t);
  return add(g, tokens, gather(g, wpe, positions));
};

export { relu, rmsnormRows as rmsnorm };
