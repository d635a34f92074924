import type { Static } from '@sinclair/typebox';
import type { RoleInfoSchema } from './schema.js';
export type RoleInfo = Static<typeof RoleInfoSchema>;

export const ROLES: Readonly<Record<string, RoleInfo>> = {
  token_embedding: {
    title: 'token embedding',
    stage: 'embedding: one row per vocabulary entry',
    formula: 'x_t = wte[token_t] + wpe[t]',
  },
  position_embedding: {
    title: 'learned position embedding',
    stage: 'embedding: one row per position',
    formula: 'x_t = wte[token_t] + wpe[t]',
  },
  attn_norm: { title: 'pre-attention norm weight', stage: 'before attention', formula: 'h = norm(x) · γ' },
  attn_norm_bias: { title: 'pre-attention norm bias', stage: 'before attention', formula: 'h = norm(x) · γ + β' },
  attn_q: { title: 'query projection', stage: 'attention: queries', formula: 'Q = h · W_qᵀ' },
  attn_k: { title: 'key projection', stage: 'attention: keys', formula: 'K = h · W_kᵀ' },
  attn_v: { title: 'value projection', stage: 'attention: values', formula: 'V = h · W_vᵀ' },
  attn_qkv: {
    title: 'fused query/key/value projection',
    stage: 'attention: Q, K and V in one matrix',
    formula: '[Q K V] = h · W_qkv',
  },
  attn_qkv_bias: { title: 'fused query/key/value bias', stage: 'attention', formula: '[Q K V] = h · W_qkv + b' },
  attn_q_bias: { title: 'query bias', stage: 'attention', formula: 'Q = h · W_qᵀ + b_q' },
  attn_k_bias: { title: 'key bias', stage: 'attention', formula: 'K = h · W_kᵀ + b_k' },
  attn_v_bias: { title: 'value bias', stage: 'attention', formula: 'V = h · W_vᵀ + b_v' },
  attn_mask: {
    title: 'causal attention mask',
    stage: 'attention: which scores each position may use',
    formula: 'A = softmax(Q·Kᵀ/√d_k + M), M: the causal mask',
  },
  attn_output: {
    title: 'attention output projection',
    stage: 'attention: heads concatenated, projected back',
    formula: 'x = x + concat(head_1..head_h) · W_oᵀ',
  },
  attn_output_bias: {
    title: 'attention output bias',
    stage: 'attention',
    formula: 'x = x + concat(heads) · W_oᵀ + b_o',
  },
  mlp_norm: { title: 'pre-MLP norm weight', stage: 'before the MLP', formula: 'h = norm(x) · γ' },
  mlp_norm_bias: { title: 'pre-MLP norm bias', stage: 'before the MLP', formula: 'h = norm(x) · γ + β' },
  mlp_gate: { title: 'MLP gate projection', stage: 'MLP: gate', formula: 'u = act(h · W_gateᵀ) ⊙ (h · W_upᵀ)' },
  mlp_up: { title: 'MLP up projection (fc1)', stage: 'MLP: widen', formula: 'u = act(h · W_upᵀ)' },
  mlp_up_bias: { title: 'MLP up bias', stage: 'MLP', formula: 'u = act(h · W_upᵀ + b)' },
  mlp_down: { title: 'MLP down projection (fc2)', stage: 'MLP: narrow back', formula: 'x = x + u · W_downᵀ' },
  mlp_down_bias: { title: 'MLP down bias', stage: 'MLP', formula: 'x = x + u · W_downᵀ + b' },
  final_norm: { title: 'final norm weight', stage: 'before the output head', formula: 'h = norm(x) · γ' },
  final_norm_bias: { title: 'final norm bias', stage: 'before the output head', formula: 'h = norm(x) · γ + β' },
  lm_head: {
    title: 'output head (unembedding)',
    stage: 'logits over the vocabulary',
    formula: 'logits = x · W_lmᵀ',
  },
  lm_head_bias: {
    title: 'output head bias',
    stage: 'logits over the vocabulary',
    formula: 'logits = x · W_lmᵀ + b',
  },
  token_type_embedding: {
    title: 'segment (token type) embedding',
    stage: 'embedding: sentence A or B',
    formula: 'x_t = wte[token_t] + wpe[t] + wtt[segment_t]',
  },
  embedding_norm: { title: 'embedding norm weight', stage: 'right after the embedding', formula: 'x = norm(x) · γ' },
  embedding_norm_bias: {
    title: 'embedding norm bias',
    stage: 'right after the embedding',
    formula: 'x = norm(x) · γ + β',
  },
  attn_post_norm: {
    title: 'post-attention norm weight (post-LN)',
    stage: 'after the attention residual',
    formula: 'x = norm(x + attn(x)) · γ',
  },
  attn_post_norm_bias: {
    title: 'post-attention norm bias (post-LN)',
    stage: 'after the attention residual',
    formula: 'x = norm(x + attn(x)) · γ + β',
  },
  mlp_post_norm: {
    title: 'post-MLP norm weight (post-LN)',
    stage: 'after the MLP residual',
    formula: 'x = norm(x + mlp(x)) · γ',
  },
  mlp_post_norm_bias: {
    title: 'post-MLP norm bias (post-LN)',
    stage: 'after the MLP residual',
    formula: 'x = norm(x + mlp(x)) · γ + β',
  },
  attn_q_norm: {
    title: 'per-head query norm (QK-norm)',
    stage: 'attention: queries, before RoPE',
    formula: 'Q_h = rmsnorm(Q_h) · γ_q',
  },
  attn_k_norm: {
    title: 'per-head key norm (QK-norm)',
    stage: 'attention: keys, before RoPE',
    formula: 'K_h = rmsnorm(K_h) · γ_k',
  },
  attn_r: {
    title: 'receptance projection (time mixing)',
    stage: 'time mixing: how much of the mix to let through',
    formula: 'r = σ(W_r · x_mix)',
  },
  mlp_gate_up: {
    title: 'fused MLP gate and up projection',
    stage: 'MLP: gate and up in one matrix',
    formula: '[g u] = h · W_gate_upᵀ; u = act(g) ⊙ u',
  },
  moe_router: {
    title: 'mixture-of-experts router',
    stage: 'MLP: picks the experts for each token',
    formula: 'p = softmax(h · W_routerᵀ), top-k experts',
  },
  expert_gate: {
    title: 'expert gate projection',
    stage: 'MLP: one routed expert',
    formula: 'u_e = act(h · W_gate,eᵀ) ⊙ (h · W_up,eᵀ)',
  },
  expert_up: {
    title: 'expert up projection',
    stage: 'MLP: one routed expert',
    formula: 'u_e = act(h · W_gate,eᵀ) ⊙ (h · W_up,eᵀ)',
  },
  expert_down: {
    title: 'expert down projection',
    stage: 'MLP: one routed expert',
    formula: 'x = x + Σ_e p_e · u_e · W_down,eᵀ',
  },
  shared_expert_gate: {
    title: 'shared expert gate projection',
    stage: 'MLP: always-on shared experts',
    formula: 'u_s = act(h · W_gate,sᵀ) ⊙ (h · W_up,sᵀ)',
  },
  shared_expert_up: {
    title: 'shared expert up projection',
    stage: 'MLP: always-on shared experts',
    formula: 'u_s = act(h · W_gate,sᵀ) ⊙ (h · W_up,sᵀ)',
  },
  shared_expert_down: {
    title: 'shared expert down projection',
    stage: 'MLP: always-on shared experts',
    formula: 'x = x + u_s · W_down,sᵀ + Σ_e …',
  },
  pooler: {
    title: 'pooler (classification head input)',
    stage: 'after the encoder: the first token, projected',
    formula: 'pooled = tanh(h_[CLS] · W_pᵀ + b)',
  },
  pooler_bias: { title: 'pooler bias', stage: 'after the encoder', formula: 'pooled = tanh(h_[CLS] · W_pᵀ + b)' },
  block_norm: { title: 'block norm weight', stage: 'before the mixer', formula: 'h = rmsnorm(x) · γ' },
  ssm_in: {
    title: 'SSM input projection (x and gate z)',
    stage: 'mixer: widen to 2 × d_inner',
    formula: '[x z] = h · W_inᵀ',
  },
  ssm_conv: {
    title: 'SSM causal depthwise convolution',
    stage: 'mixer: short causal convolution over time',
    formula: 'x = silu(conv1d(x))',
  },
  ssm_conv_bias: { title: 'SSM convolution bias', stage: 'mixer', formula: 'x = silu(conv1d(x) + b)' },
  ssm_x: {
    title: 'SSM input-dependent projection (Δ, B, C)',
    stage: 'mixer: the selection mechanism',
    formula: '[Δ B C] = x · W_xᵀ',
  },
  ssm_dt: {
    title: 'SSM time-step projection',
    stage: 'mixer: step size per channel',
    formula: 'Δ = softplus(Δ · W_dtᵀ + b)',
  },
  ssm_dt_bias: { title: 'SSM time-step bias', stage: 'mixer', formula: 'Δ = softplus(Δ · W_dtᵀ + b)' },
  ssm_a: {
    title: 'SSM state matrix (log of −A)',
    stage: 'mixer: state decay',
    formula: 'Ā = exp(Δ · A), A = −exp(A_log)',
  },
  ssm_d: { title: 'SSM skip connection', stage: 'mixer', formula: 'y = C · h + D ⊙ x' },
  ssm_out: {
    title: 'SSM output projection',
    stage: 'mixer: back to hidden, gated',
    formula: 'x = x + (y ⊙ silu(z)) · W_outᵀ',
  },
  time_decay: {
    title: 'time-mixing decay per channel',
    stage: 'time mixing: how fast the past fades',
    formula: 'wkv_t = Σ_i e^{−(t−1−i)w + k_i} v_i / …',
  },
  time_first: {
    title: 'time-mixing bonus for the current token',
    stage: 'time mixing',
    formula: 'wkv_t includes e^{u + k_t} v_t',
  },
  time_mix_k: {
    title: 'token-shift mix for keys',
    stage: 'time mixing: blend with the previous token',
    formula: 'x_k = μ_k ⊙ x_t + (1 − μ_k) ⊙ x_{t−1}',
  },
  time_mix_v: {
    title: 'token-shift mix for values',
    stage: 'time mixing',
    formula: 'x_v = μ_v ⊙ x_t + (1 − μ_v) ⊙ x_{t−1}',
  },
  time_mix_r: {
    title: 'token-shift mix for receptance',
    stage: 'time mixing',
    formula: 'x_r = μ_r ⊙ x_t + (1 − μ_r) ⊙ x_{t−1}',
  },
  channel_mix_k: {
    title: 'token-shift mix for the channel-mixing key',
    stage: 'channel mixing',
    formula: 'x_k = μ_k ⊙ x_t + (1 − μ_k) ⊙ x_{t−1}',
  },
  rope_frequencies: {
    title: 'rotary frequencies (a stored constant, not a parameter)',
    stage: 'attention: the angles RoPE rotates q and k by',
    formula: 'θ_i = base^(−2i/d), scaled as the config says',
  },
  attn_mask_fill: {
    title: 'masked-score fill value (a stored constant, not a parameter)',
    stage: 'attention: what masked scores are set to',
    formula: 'scores[j > i] = masked_bias',
  },
  channel_mix_r: {
    title: 'token-shift mix for the channel-mixing receptance',
    stage: 'channel mixing',
    formula: 'x_r = μ_r ⊙ x_t + (1 − μ_r) ⊙ x_{t−1}',
  },
};

/** A role's description; a role no table knows (a user contract's own, or "__proto__") gets its name and no claims. */
export function roleInfo(role: string): RoleInfo {
  return Object.hasOwn(ROLES, role) ? ROLES[role] : { title: role, stage: '—', formula: '—' };
}

/**
 * Whole-name patterns for tensors no shipped family names this way, seen in
 * other checkpoints (anchored at both ends: never a substring match).
 */
export const GENERIC_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^(?:model\.)?(?:decoder\.|encoder\.)?embed_positions\.weight$/, 'position_embedding'],
  [/^(?:model\.)?(?:decoder\.|encoder\.)?embed_tokens\.weight$/, 'token_embedding'],
  [/^(?:model\.)?(?:decoder\.)?final_layer_norm\.weight$/, 'final_norm'],
];

// Stored constants that are not parameters live with the contracts, where the float32 loader reads them too.
export { GENERIC_BUFFERS, genericBuffer } from '../contracts/buffers.js';
