/** What each tensor role does in the forward pass, in words and as a formula. Data, shared by every family. */
export interface RoleInfo {
  title: string;
  stage: string;
  formula: string;
}

export const ROLES: Readonly<Record<string, RoleInfo>> = {
  token_embedding: { title: 'token embedding', stage: '1. embedding: one row per vocabulary entry', formula: 'x_t = wte[token_t] + wpe[t]' },
  position_embedding: { title: 'learned position embedding', stage: '1. embedding: one row per position', formula: 'x_t = wte[token_t] + wpe[t]' },
  attn_norm: { title: 'pre-attention norm weight', stage: '2. before attention', formula: 'h = norm(x) · γ' },
  attn_norm_bias: { title: 'pre-attention norm bias', stage: '2. before attention', formula: 'h = norm(x) · γ + β' },
  attn_q: { title: 'query projection', stage: '3. attention: queries', formula: 'Q = h · W_qᵀ' },
  attn_k: { title: 'key projection', stage: '3. attention: keys', formula: 'K = h · W_kᵀ' },
  attn_v: { title: 'value projection', stage: '3. attention: values', formula: 'V = h · W_vᵀ' },
  attn_qkv: { title: 'fused query/key/value projection', stage: '3. attention: Q, K and V in one matrix', formula: '[Q K V] = h · W_qkv' },
  attn_qkv_bias: { title: 'fused query/key/value bias', stage: '3. attention', formula: '[Q K V] = h · W_qkv + b' },
  attn_q_bias: { title: 'query bias', stage: '3. attention', formula: 'Q = h · W_qᵀ + b_q' },
  attn_k_bias: { title: 'key bias', stage: '3. attention', formula: 'K = h · W_kᵀ + b_k' },
  attn_v_bias: { title: 'value bias', stage: '3. attention', formula: 'V = h · W_vᵀ + b_v' },
  attn_mask: { title: 'causal attention mask', stage: '3. attention: added to the scores before softmax', formula: 'A = softmax(Q·Kᵀ/√d_k + M), M_ij = 0 if j ≤ i else −1e9' },
  attn_output: { title: 'attention output projection', stage: '3. attention: heads concatenated, projected back', formula: 'x = x + concat(head_1..head_h) · W_oᵀ' },
  attn_output_bias: { title: 'attention output bias', stage: '3. attention', formula: 'x = x + concat(heads) · W_oᵀ + b_o' },
  mlp_norm: { title: 'pre-MLP norm weight', stage: '4. before the MLP', formula: 'h = norm(x) · γ' },
  mlp_norm_bias: { title: 'pre-MLP norm bias', stage: '4. before the MLP', formula: 'h = norm(x) · γ + β' },
  mlp_gate: { title: 'MLP gate projection', stage: '5. MLP: gate', formula: 'u = act(h · W_gateᵀ) ⊙ (h · W_upᵀ)' },
  mlp_up: { title: 'MLP up projection (fc1)', stage: '5. MLP: widen', formula: 'u = act(h · W_upᵀ)' },
  mlp_up_bias: { title: 'MLP up bias', stage: '5. MLP', formula: 'u = act(h · W_upᵀ + b)' },
  mlp_down: { title: 'MLP down projection (fc2)', stage: '5. MLP: narrow back', formula: 'x = x + u · W_downᵀ' },
  mlp_down_bias: { title: 'MLP down bias', stage: '5. MLP', formula: 'x = x + u · W_downᵀ + b' },
  final_norm: { title: 'final norm weight', stage: '6. before the output head', formula: 'h = norm(x) · γ' },
  final_norm_bias: { title: 'final norm bias', stage: '6. before the output head', formula: 'h = norm(x) · γ + β' },
  lm_head: { title: 'output head (unembedding)', stage: '6. logits over the vocabulary', formula: 'logits = x · W_lmᵀ' },
};
