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
} from '../tensor/index.js';
import { Tensor } from '../tensor/index.js';
import type {
  AttentionKernel,
  BlockKernel,
  EmbeddingScaleKernel,
  MlpKernel,
  NormKernel,
  NormParams,
  PositionKernel,
  Tap,
} from './types.js';

/** y = x·Wᵀ (+ b): a projection with the weight stored [out, in]. */
export const linear = (g: Graph, x: Tensor, w: Tensor, b?: Tensor): Tensor =>
  b ? addRow(g, matmulT(g, x, w), b) : matmulT(g, x, w);

/**
 * Causal attention for MHA, GQA and MQA alike (they differ only in how many
 * K/V heads there are): project, rotate q and k under RoPE, all heads in one
 * fused op (with ALiBi's bias when given), project back. Hook points: q, k, v
 * (and rotated q, k), scores, pattern and z, the heads' outputs before W_o.
 */
export const attention: AttentionKernel = (g, x, w, cfg, tap) => {
  let q = linear(g, x, w.wq, w.bq);
  let k = linear(g, x, w.wk, w.bk);
  const v = linear(g, x, w.wv, w.bv);
  const T = x.rows,
    d = q.cols / cfg.heads;
  tap?.emit('attn.hook_q', q.data, [T, cfg.heads, d]);
  tap?.emit('attn.hook_k', k.data, [T, cfg.kvHeads, d]);
  tap?.emit('attn.hook_v', v.data, [T, cfg.kvHeads, d]);
  if (cfg.rope) {
    q = rope(g, q, cfg.heads, cfg.rope.theta, cfg.rope.dims);
    k = rope(g, k, cfg.kvHeads, cfg.rope.theta, cfg.rope.dims);
    tap?.emit('attn.hook_rot_q', q.data, [T, cfg.heads, d]);
    tap?.emit('attn.hook_rot_k', k.data, [T, cfg.kvHeads, d]);
  }
  const square = [cfg.heads, T, T];
  const visits = tap && {
    scores: tap.wants('attn.hook_attn_scores')
      ? (s: Float64Array) => tap.emit('attn.hook_attn_scores', s, square)
      : undefined,
    pattern: (p: Float64Array) => tap.emit('attn.hook_pattern', p, square),
  };
  const { out, weights } = causalAttention(g, q, k, v, cfg.heads, cfg.kvHeads, cfg.alibi, visits);
  tap?.emit('attn.hook_z', out.data, [T, cfg.heads, d]);
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
  }
  const T = x.rows;
  // The pattern is shown as a copy here (this path composes per-head tensors): the reference reads, it does not patch.
  tap?.emit('attn.hook_pattern', Float64Array.from(weights.flatMap((a) => Array.from(a.data))), [cfg.heads, T, T]);
  const z = concatCols(g, heads);
  tap?.emit('attn.hook_z', z.data, [T, cfg.heads, dk]);
  return { out: matmulT(g, z, w.wo), weights };
};

/** fc2(act(fc1·x + b1)) + b2: microGPT's ReLU MLP, GPT-2's GELU MLP. */
export const plainMlp: MlpKernel = (g, x, w, act, tap) => {
  const up = linear(g, x, w.fc1, w.b1);
  tap?.emit('mlp.hook_pre', up.data, up.shape);
  const a = act(g, up);
  tap?.emit('mlp.hook_post', a.data, a.shape);
  return linear(g, a, w.fc2, w.b2);
};

/** down(act(gate·x) ⊙ up·x): SwiGLU with SiLU, GeGLU with GELU. */
export const gatedMlp: MlpKernel = (g, x, w, act, tap) => {
  if (!w.gate) throw new Error('gatedMlp: a gated MLP needs a gate projection');
  const gate = linear(g, x, w.gate);
  tap?.emit('mlp.hook_pre', gate.data, gate.shape);
  const up = linear(g, x, w.fc1, w.b1);
  tap?.emit('mlp.hook_pre_linear', up.data, up.shape);
  const a = mul(g, act(g, gate), up);
  tap?.emit('mlp.hook_post', a.data, a.shape);
  return linear(g, a, w.fc2, w.b2);
};

/** A norm's learned affine part, where the family has one: y · γ (+ β). */
function affine(g: Graph, y: Tensor, p?: NormParams): Tensor {
  if (p?.weight) y = mulRow(g, y, p.weight);
  return p?.bias ? addRow(g, y, p.bias) : y;
}

/** x / √(mean(x²) + ε), times a learned weight where the family has one. */
export const rmsnorm: NormKernel = (g, x, eps, p, tap) => affine(g, normalized(g, x, eps, false, tap), p);

/** Gemma's RMSNorm: x / √(mean(x²) + ε) · (1 + γ), written as y + y·γ so the gradient reaches γ as it is stored. */
export const offsetRmsnorm: NormKernel = (g, x, eps, p, tap) => {
  const y = normalized(g, x, eps, false, tap);
  return p?.weight ? add(g, y, mulRow(g, y, p.weight)) : y;
};

/** (x − mean) / √(var + ε) · γ + β. */
export const layernorm: NormKernel = (g, x, eps, p, tap) => affine(g, normalized(g, x, eps, true, tap), p);

/**
 * The normalised stream before the affine part (hook_normalized). When a hook
 * wants the scale (hook_scale, [T, 1]), it is computed and the division done
 * from it, so a replaced scale takes effect; that path is inference only.
 */
function normalized(g: Graph, x: Tensor, eps: number, centre: boolean, tap?: Tap): Tensor {
  let y: Tensor;
  if (tap?.wants('hook_scale')) {
    const [T, C] = x.shape;
    const mean = new Float64Array(T),
      s = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const row = x.data.subarray(t * C, (t + 1) * C);
      if (centre) mean[t] = row.reduce((a, b) => a + b, 0) / C;
      s[t] = Math.sqrt(row.reduce((a, b) => a + (b - mean[t]) ** 2, 0) / C + eps);
    }
    tap.emit('hook_scale', s, [T, 1]);
    y = new Tensor(
      [T, C],
      // As the fused ops compute it (times the reciprocal), so reading the scale changes nothing.
      Float64Array.from(x.data, (v, i) => (v - mean[Math.floor(i / C)]) * (1 / s[Math.floor(i / C)])),
    );
  } else y = centre ? layernormRows(g, x, eps) : rmsnormRows(g, x, eps);
  tap?.emit('hook_normalized', y.data, y.shape);
  return y;
}

/** Learned absolute positions: row t of wpe is added to the token at position t. */
export const learnedPositions: PositionKernel = (g, tokens, wpe, tap) => {
  if (!wpe) throw new Error('learnedPositions: needs the wpe table');
  const pos = gather(g, wpe, positions(tokens.rows));
  tap?.emit('hook_pos_embed', pos.data, pos.shape);
  return add(g, tokens, pos);
};

/** The embedding as it is: every family but Gemma. */
export const unscaledEmbedding: EmbeddingScaleKernel = (_g, tokens) => tokens;

/** Gemma: the embedding times √d_model (the tied head reads the table unscaled). */
export const sqrtHiddenEmbedding: EmbeddingScaleKernel = (g, tokens) => scale(g, tokens, Math.sqrt(tokens.cols));

/** x = x + attn(norm₁(x)); x = x + mlp(norm₂(x)): microGPT, GPT-2, Llama. */
export const sequentialBlock: BlockKernel = (g, x, p) => {
  const mid = p.mid(add(g, p.attention(p.norm1(x)), x));
  return add(g, p.mlp(p.norm2(mid)), mid);
};

/** x = x + attn(norm₁(x)) + mlp(norm₂(x)): GPT-NeoX's parallel residual, summed in its order (mlp + attn) + x. */
export const parallelBlock: BlockKernel = (g, x, p) => {
  const a = p.attention(p.norm1(x));
  return add(g, add(g, p.mlp(p.norm2(x)), a), x);
};

/** h = norm(x); x = x + attn(h) + mlp(h): Phi-2 and Falcon-7B read one normalised stream. */
export const sharedNormBlock: BlockKernel = (g, x, p) => {
  const h = p.norm1(x);
  const a = p.attention(h);
  return add(g, add(g, p.mlp(h), a), x);
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
