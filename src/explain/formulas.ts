/**
 * A family's equations, derived from its kernels in the registry: the same
 * role (an MLP up projection, a token embedding) reads differently in a
 * SwiGLU or a RoPE family than in microGPT, and the attention equation shows
 * what RoPE and ALiBi do to the scores.
 */
import { kernel } from '../kernels/index.js';

/** The kernel choices a formula depends on (a contract's constraints and a model's architecture both have them). */
export interface KernelChoice {
  attention_type: string;
  activation: string;
  norm_type: string;
  mlp_type: string;
  positional_encoding: string;
  tied_embeddings: boolean;
  /** Absent: none (a contract or architecture written before the slot existed). */
  embedding_scale?: string;
}

const rotary = (k: KernelChoice) => k.positional_encoding === 'rope' || k.positional_encoding === 'partial_rope';
const hasTable = (k: KernelChoice) => k.positional_encoding === 'learned' || k.positional_encoding === 'absolute';
const gated = (k: KernelChoice) => k.mlp_type === 'swiglu' || k.mlp_type === 'gated_mlp';

/** The attention equation as this family computes it: RoPE rotates q and k; ALiBi adds a per-head distance bias. */
export function attentionEquation(k: KernelChoice): string {
  const rope = rotary(k);
  const q = rope ? 'RoPE(Q)' : 'Q';
  const kk = rope ? 'RoPE(K)' : 'K';
  const bias = k.positional_encoding === 'alibi' ? ' − m_h·(i − j)' : '';
  return `Attention(Q, K, V) = softmax(${q}·${kk}ᵀ/√d_k${bias} + M)·V`;
}

/** What the terms of attentionEquation mean for this family, from the registry. */
export function attentionTerms(k: KernelChoice): string[] {
  const pos = kernel('positional_encoding', k.positional_encoding);
  const att = kernel('attention_type', k.attention_type);
  return [
    `per head (${att.title}: ${att.description})`,
    'M: the causal mask (future positions get weight exactly 0)',
    ...(rotary(k) || k.positional_encoding === 'alibi' ? [`${pos.title}: ${pos.formula}`] : []),
  ];
}

/** The MLP written with this family's activation in place of the registry's "act". */
function mlpFormula(k: KernelChoice): string {
  return kernel('mlp_type', k.mlp_type).formula.replace('act(', `${k.activation}(`);
}

/**
 * The formula of a role in this family, where it depends on the family's
 * kernels; null where the generic formula (explain/roles.ts) holds for every family.
 */
export function familyFormula(role: string, k: KernelChoice): string | null {
  switch (role) {
    case 'token_embedding':
      if (k.embedding_scale !== undefined && k.embedding_scale !== 'none')
        return `${kernel('embedding_scale', k.embedding_scale).formula} (${kernel('positional_encoding', k.positional_encoding).title}, inside attention)`;
      return hasTable(k)
        ? kernel('positional_encoding', k.positional_encoding).formula
        : `x_t = wte[token_t] (no position table: ${kernel('positional_encoding', k.positional_encoding).title}${k.positional_encoding === 'none' ? '' : ', inside attention'})`;
    case 'attn_q':
    case 'attn_k':
      return rotary(k)
        ? `${role === 'attn_q' ? 'Q = RoPE(h · W_qᵀ)' : 'K = RoPE(h · W_kᵀ)'}; RoPE: ${kernel('positional_encoding', k.positional_encoding).formula}`
        : null;
    case 'mlp_gate':
    case 'mlp_up':
    case 'mlp_down':
      if (!gated(k) && role === 'mlp_gate') return null;
      return `x = x + ${mlpFormula(k)}`;
    case 'attn_norm':
    case 'mlp_norm':
    case 'final_norm':
    case 'embedding_norm':
      return `h = ${kernel('norm_type', k.norm_type).formula}`;
    case 'lm_head':
      // A stored output head is an untied one, whatever the family's usual choice.
      return kernel('tied_embeddings', 'false').formula;
    default:
      return null;
  }
}
