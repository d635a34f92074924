import {
  add,
  addCausalMask,
  addRow,
  causalAttention,
  concatCols,
  gather,
  geluExact,
  geluTanh,
  layernormRows,
  matmul,
  matmulT,
  mul,
  mulRow,
  relu,
  rmsnormRows,
  rope,
  scale,
  silu,
  sliceCols,
  softmaxRows,
  type Graph,
  type Tensor,
} from '../tensor/index.js';
import type { AttentionKernel, MlpKernel, NormKernel, NormParams, PositionKernel } from './types.js';

/** y = x·Wᵀ (+ b): a projection with the weight stored [out, in]. */
export const linear = (g: Graph, x: Tensor, w: Tensor, b?: Tensor): Tensor =>
  b ? addRow(g, matmulT(g, x, w), b) : matmulT(g, x, w);

/**
 * Causal attention for MHA, GQA and MQA alike (they differ only in how many
 * K/V heads there are): project, rotate q and k under RoPE, all heads in one
 * fused op (with ALiBi's bias when given), project back.
 */
export const attention: AttentionKernel = (g, x, w, cfg, tap) => {
  let q = linear(g, x, w.wq, w.bq);
  let k = linear(g, x, w.wk, w.bk);
  const v = linear(g, x, w.wv, w.bv);
  if (cfg.rope) {
    q = rope(g, q, cfg.heads, cfg.rope.theta);
    k = rope(g, k, cfg.kvHeads, cfg.rope.theta);
  }
  const { out, weights } = causalAttention(g, q, k, v, cfg.heads, cfg.kvHeads, cfg.alibi);
  cfg.editHeads?.(out);
  if (tap) {
    const dk = q.cols / cfg.heads;
    for (let h = 0; h < cfg.heads; h++) tap(`head ${h}`, sliceCols(g, out, h * dk, dk));
  }
  return { out: linear(g, out, w.wo, w.bo), weights };
};

/**
 * Multi-head attention composed from primitive ops, step by step as the
 * equation reads: per head h, softmax(Q_h·K_hᵀ/√d_k + mask)·V_h, heads
 * concatenated, then W_o. The truth the fused kernel is tested against; it
 * covers microGPT's attention (MHA, no biases, learned positions).
 */
export const mhaReference: AttentionKernel = (g, x, w, cfg, tap) => {
  if (cfg.kvHeads !== cfg.heads || cfg.rope || cfg.alibi || w.bq || w.bo)
    throw new Error('mhaReference: plain MHA only');
  const q = matmulT(g, x, w.wq);
  const k = matmulT(g, x, w.wk);
  const v = matmulT(g, x, w.wv);
  const dk = q.cols / cfg.heads;
  const heads: Tensor[] = [];
  const weights: Tensor[] = [];
  for (let h = 0; h < cfg.heads; h++) {
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

/** fc2(act(fc1·x + b1)) + b2: microGPT's ReLU MLP, GPT-2's GELU MLP. */
export const plainMlp: MlpKernel = (g, x, w, act, tap) => {
  const up = linear(g, x, w.fc1, w.b1);
  tap?.('mlp fc1', up);
  const a = act(g, up);
  tap?.('mlp activation', a);
  return linear(g, a, w.fc2, w.b2);
};

/** down(act(gate·x) ⊙ up·x): SwiGLU with SiLU, GeGLU with GELU. */
export const gatedMlp: MlpKernel = (g, x, w, act, tap) => {
  if (!w.gate) throw new Error('gatedMlp: a gated MLP needs a gate projection');
  const gate = linear(g, x, w.gate);
  const up = linear(g, x, w.fc1, w.b1);
  tap?.('mlp fc1', up);
  const a = act(g, gate);
  tap?.('mlp activation', a);
  return linear(g, mul(g, a, up), w.fc2, w.b2);
};

/** A norm's learned affine part, where the family has one: y · γ (+ β). */
function affine(g: Graph, y: Tensor, p?: NormParams): Tensor {
  if (p?.weight) y = mulRow(g, y, p.weight);
  return p?.bias ? addRow(g, y, p.bias) : y;
}

/** x / √(mean(x²) + ε), times a learned weight where the family has one. */
export const rmsnorm: NormKernel = (g, x, eps, p) => affine(g, rmsnormRows(g, x, eps), p);

/** (x − mean) / √(var + ε) · γ + β. */
export const layernorm: NormKernel = (g, x, eps, p) => affine(g, layernormRows(g, x, eps), p);

/** Learned absolute positions: row t of wpe is added to the token at position t. */
export const learnedPositions: PositionKernel = (g, tokens, wpe) => {
  if (!wpe) throw new Error('learnedPositions: needs the wpe table');
  return add(g, tokens, gather(g, wpe, positions(tokens.rows)));
};

/** RoPE and ALiBi act inside attention, and "none" adds nothing: the embedding passes through. */
export const noPositions: PositionKernel = (_g, tokens) => tokens;

/** 0, 1, 2, … shared by every call (grown when a longer context needs it), so a forward pass allocates no position list. */
let POSITIONS = Int32Array.from({ length: 1024 }, (_, i) => i);
function positions(n: number): Int32Array {
  if (n > POSITIONS.length) POSITIONS = Int32Array.from({ length: Math.max(n, 2 * POSITIONS.length) }, (_, i) => i);
  return POSITIONS.subarray(0, n);
}

export { relu, geluTanh, geluExact, silu };
