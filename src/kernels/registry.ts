import { MicrogptError } from '../errors.js';
import type { KernelEntry, Slot } from './types.js';
import { ALIBI_SLOPE_FORMULA } from './alibi.js';

/**
 * Every value a family contract can name, with its formula and whether this
 * tool can run it. `explain --kernel` prints from this table; the model is
 * assembled through dispatch.ts, which holds the functions for exactly the
 * entries marked executable (a test keeps the two in step). The table is plain
 * data so that explaining never loads the engine.
 */
export const KERNELS: readonly KernelEntry[] = [
  {
    slot: 'attention_type',
    value: 'mha',
    title: 'multi-head attention',
    formula: 'softmax(Q_h·K_hᵀ/√d_k + M)·V_h for every head h, concat, ·W_o',
    description: 'every query head has its own key and value head',
    complexity: 1,
    kind: 'mha',
    executable: true,
  },
  {
    slot: 'attention_type',
    value: 'gqa',
    title: 'grouped-query attention',
    formula: 'softmax(Q_h·K_g(h)ᵀ/√d_k + M)·V_g(h), g(h) = ⌊h·n_kv/n_heads⌋',
    description: 'groups of query heads share one key/value head',
    complexity: 2,
    kind: 'gqa',
    executable: true,
  },
  {
    slot: 'attention_type',
    value: 'mqa',
    title: 'multi-query attention',
    formula: 'softmax(Q_h·Kᵀ/√d_k + M)·V, one K and V for all heads',
    description: 'all query heads share a single key/value head',
    complexity: 2,
    kind: 'mqa',
    executable: true,
  },
  {
    slot: 'attention_type',
    value: 'ssm',
    title: 'selective state space',
    formula: 'h_t = Ā_t·h_{t−1} + B̄_t·x_t, y_t = C_t·h_t',
    description: 'no attention matrix: a recurrent state updated per token',
    complexity: 3,
    kind: 'ssm',
    executable: false,
  },
  {
    slot: 'attention_type',
    value: 'linear',
    title: 'linear attention (time mixing)',
    formula: 'wkv_t = Σ_i e^{−(t−1−i)w + k_i}·v_i / Σ_i e^{…}',
    description: 'attention replaced by a decaying weighted sum computable as a recurrence',
    complexity: 3,
    kind: 'linear',
    executable: false,
  },

  {
    slot: 'activation',
    value: 'relu',
    title: 'ReLU',
    formula: 'max(0, x)',
    description: 'zero for negative inputs, identity otherwise',
    complexity: 1,
    kind: 'relu',
    executable: true,
  },
  {
    slot: 'activation',
    value: 'gelu',
    title: 'GELU',
    formula: 'x·Φ(x) ≈ 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))',
    description: 'smooth gate by the Gaussian CDF',
    complexity: 2,
    kind: 'gelu',
    executable: true,
  },
  {
    slot: 'activation',
    value: 'silu',
    title: 'SiLU (swish)',
    formula: 'x·σ(x)',
    description: 'smooth gate by the logistic sigmoid',
    complexity: 2,
    kind: 'silu',
    executable: true,
  },

  {
    slot: 'norm_type',
    value: 'rmsnorm',
    title: 'RMSNorm',
    formula: 'x / √(mean(x²) + ε) (· γ if learned)',
    description: 'rescales by the root mean square; no centring',
    complexity: 1,
    kind: 'rmsnorm',
    executable: true,
  },
  {
    slot: 'norm_type',
    value: 'layernorm',
    title: 'LayerNorm',
    formula: '(x − mean(x)) / √(var(x) + ε) · γ + β',
    description: 'centres and rescales, then a learned affine map',
    complexity: 2,
    kind: 'layernorm',
    executable: true,
  },

  {
    slot: 'mlp_type',
    value: 'relu_mlp',
    title: 'ReLU MLP',
    formula: 'W₂·relu(W₁·x)',
    description: 'two projections around a ReLU',
    complexity: 1,
    kind: 'relu_mlp',
    executable: true,
  },
  {
    slot: 'mlp_type',
    value: 'gelu_mlp',
    title: 'GELU MLP',
    formula: 'W₂·gelu(W₁·x + b₁) + b₂',
    description: 'two projections around a GELU',
    complexity: 2,
    kind: 'gelu_mlp',
    executable: true,
  },
  {
    slot: 'mlp_type',
    value: 'swiglu',
    title: 'SwiGLU',
    formula: 'W_down·(silu(W_gate·x) ⊙ W_up·x)',
    description: 'a SiLU-gated linear unit: three projections',
    complexity: 3,
    kind: 'swiglu',
    executable: true,
  },
  {
    slot: 'mlp_type',
    value: 'gated_mlp',
    title: 'gated MLP',
    formula: 'W_down·(act(W_gate·x) ⊙ W_up·x)',
    description: "a gated linear unit with the family's activation",
    complexity: 3,
    kind: 'gated_mlp',
    executable: true,
  },

  {
    slot: 'positional_encoding',
    value: 'learned',
    title: 'learned absolute positions',
    formula: 'x_t = wte[token_t] + wpe[t]',
    description: 'a trained vector per position, added to the token embedding',
    complexity: 1,
    kind: 'absolute',
    executable: true,
  },
  {
    slot: 'positional_encoding',
    value: 'absolute',
    title: 'absolute position embeddings',
    formula: 'x_t = wte[token_t] + wpe[t]',
    description: 'a vector per position added to the token embedding (learned in GPT-2, OPT, BERT)',
    complexity: 1,
    kind: 'absolute',
    executable: true,
  },
  {
    slot: 'positional_encoding',
    value: 'rope',
    title: 'rotary position embedding',
    formula: 'q, k rotated by angle t·θ^(−2i/d) per pair of dimensions',
    description: 'rotates queries and keys so q·k depends on relative position',
    complexity: 2,
    kind: 'rope',
    executable: true,
  },
  {
    slot: 'positional_encoding',
    value: 'alibi',
    title: 'ALiBi',
    formula: `scores_ij − m_h·(i − j), ${ALIBI_SLOPE_FORMULA}`,
    description: 'a per-head linear distance penalty added to the scores',
    complexity: 2,
    kind: 'alibi',
    executable: true,
  },
  {
    slot: 'positional_encoding',
    value: 'none',
    title: 'no explicit positions',
    formula: '—',
    description: 'order comes only from the causal structure or the recurrence',
    complexity: 0,
    kind: 'none',
    executable: true,
  },

  {
    slot: 'has_bias',
    value: 'false',
    title: 'no biases',
    formula: 'y = W·x',
    description: 'projections have no additive bias',
    complexity: 1,
    kind: 'no-bias',
    executable: true,
  },
  {
    slot: 'has_bias',
    value: 'true',
    title: 'biases',
    formula: 'y = W·x + b',
    description: 'projections add a learned bias',
    complexity: 2,
    kind: 'bias',
    executable: true,
  },

  {
    slot: 'tied_embeddings',
    value: 'false',
    title: 'untied output head',
    formula: 'logits = lm_head·x',
    description: 'the output projection is its own matrix',
    complexity: 1,
    kind: 'untied',
    executable: true,
  },
  {
    slot: 'tied_embeddings',
    value: 'true',
    title: 'tied output head',
    formula: 'logits = wteᵀ·x',
    description: 'the output projection reuses the token embedding',
    complexity: 1,
    kind: 'tied',
    executable: true,
  },
];

/** The registry entry for a slot's value; unknown values are a user-facing error naming the allowed ones. */
export function kernel<S extends Slot>(slot: S, value: string | boolean): KernelEntry<S> {
  const v = String(value);
  const entry = KERNELS.find((k) => k.slot === slot && k.value === v);
  if (!entry) {
    throw new MicrogptError('MG020', `unknown ${slot} "${v}"; allowed: ${valuesOf(slot).join(', ')}`);
  }
  return entry as KernelEntry<S>;
}

export function valuesOf(slot: Slot): string[] {
  return KERNELS.filter((k) => k.slot === slot).map((k) => k.value);
}
