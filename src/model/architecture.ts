/**
 * What a model is assembled from: the kernel for each contract constraint,
 * plus the structural facts a family's tensor list implies (learned norm
 * weights, extra norms, which projections carry biases). Plain data, stored
 * in checkpoints.
 */
export interface Architecture {
  family: string;
  attention_type: string;
  activation: string;
  /** GELU only: "tanh" (GPT-2's gelu_new) or "none" (the exact erf form). */
  gelu_approximation?: 'tanh' | 'none';
  norm_type: string;
  mlp_type: string;
  positional_encoding: string;
  tied_embeddings: boolean;
  /** Norms carry a learned weight (and, for LayerNorm, a bias). microGPT's do not. */
  norm_affine: boolean;
  /** A norm right after the embedding (microGPT's RMSNorm, BLOOM's and BERT's LayerNorm). */
  embedding_norm: boolean;
  /** A norm before the output head (everything but microGPT). */
  final_norm: boolean;
  bias: { qkv: boolean; o: boolean; mlp: boolean; lm_head: boolean };
  rope_theta?: number;
  /** How attention and the MLP share the residual stream; absent: sequential (every checkpoint written before it existed). */
  block_type?: string;
  /** Gemma's √d_model on the embedding; absent: none. */
  embedding_scale?: string;
  /** Partial RoPE: the fraction of each head's dimensions that are rotated (the family's own; a tiny head rotates at least 2). */
  rotary_fraction?: number;
  /** What the family does that its tiny model leaves out (mixture of experts, QK-norm, …), in words. */
  omitted?: string[];
}

export const MICROGPT_ARCHITECTURE: Architecture = {
  family: 'microgpt',
  attention_type: 'mha',
  activation: 'relu',
  norm_type: 'rmsnorm',
  mlp_type: 'relu_mlp',
  positional_encoding: 'learned',
  tied_embeddings: false,
  norm_affine: false,
  embedding_norm: true,
  final_norm: false,
  bias: { qkv: false, o: false, mlp: false, lm_head: false },
};

export const hasPositionTable = (a: Architecture): boolean =>
  a.positional_encoding === 'learned' || a.positional_encoding === 'absolute';
export const isGated = (a: Architecture): boolean => a.mlp_type === 'swiglu' || a.mlp_type === 'gated_mlp';
export const isRotary = (a: Architecture): boolean =>
  a.positional_encoding === 'rope' || a.positional_encoding === 'partial_rope';
export const blockTypeOf = (a: Architecture): string => a.block_type ?? 'sequential';

/**
 * Dimensions of a head that partial RoPE rotates: ⌊d·fraction⌋ as transformers
 * computes it, rounded down to a pair, and at least one pair (a tiny model's
 * 4-dim head at GPT-NeoX's 25% still rotates 2). All of them without a fraction.
 */
export function rotaryDims(headDim: number, fraction: number | undefined): number {
  if (fraction === undefined) return headDim;
  return Math.min(headDim, Math.max(2, 2 * Math.floor(Math.floor(headDim * fraction) / 2)));
}

export { alibiSlopes } from '../kernels/alibi.js';
