import type { Graph, Tensor } from '../tensor/index.js';

/** The contract constraint each kernel fills; the names are the contract's own keys. */
export type Slot =
  | 'attention_type'
  | 'activation'
  | 'norm_type'
  | 'mlp_type'
  | 'block_type'
  | 'positional_encoding'
  | 'embedding_scale'
  | 'has_bias'
  | 'tied_embeddings';

/** The chapter's seven, then the slots added since (shown only where a family leaves the default). */
export const SLOTS: readonly Slot[] = [
  'attention_type',
  'activation',
  'norm_type',
  'mlp_type',
  'positional_encoding',
  'has_bias',
  'tied_embeddings',
  'block_type',
  'embedding_scale',
];

/** Slots a contract may leave out, and the value that stands for it (what every family did before they existed). */
export const SLOT_DEFAULTS: Readonly<Partial<Record<Slot, string>>> = {
  block_type: 'sequential',
  embedding_scale: 'none',
};

/** Whether a slot is worth a row where these values meet: always for the chapter's seven, for a later one when a value leaves its default. */
export function slotShown(slot: Slot, values: readonly string[]): boolean {
  const d = SLOT_DEFAULTS[slot];
  return d === undefined || values.some((v) => v !== d);
}

/** A constraint's value as text, its default when the contract leaves it out. */
export function slotValue(constraints: object, slot: Slot): string {
  const v = (constraints as Record<string, unknown>)[slot];
  return v === undefined ? (SLOT_DEFAULTS[slot] ?? 'undefined') : String(v);
}

export interface AttentionWeights {
  wq: Tensor;
  wk: Tensor;
  wv: Tensor;
  wo: Tensor;
  /** Biases, where the family has them. */
  bq?: Tensor;
  bk?: Tensor;
  bv?: Tensor;
  bo?: Tensor;
}

export interface AttentionConfig {
  heads: number;
  /** Key/value heads: = heads for MHA, fewer for GQA, 1 for MQA. */
  kvHeads: number;
  /** Rotary positions on q and k, with this base, on the first `dims` dimensions of each head (all of them when absent). */
  rope?: { theta: number; dims?: number };
  /** ALiBi: one slope per head; −slope·(i − j) is added to the scores. */
  alibi?: readonly number[];
}

export interface AttentionResult {
  out: Tensor;
  /** Per head, the [T, T] attention weights (softmax output). */
  weights: Tensor[];
}

/**
 * A kernel's hook points, named as the engine's hook vocabulary names them
 * within a block ("attn.hook_q", "mlp.hook_post", "hook_normalized" …).
 * `emit` lets hooks read or overwrite the values in place (inference only: an
 * edit is not differentiated through); `wants` says whether anything listens,
 * so values that cost extra work (a norm's scale) are computed only then.
 */
export interface Tap {
  wants(point: string): boolean;
  emit(point: string, values: Float64Array, shape: readonly number[]): void;
}

export interface NormParams {
  weight?: Tensor;
  bias?: Tensor;
}

export interface MlpWeights {
  /** Up projection (fc1, W_up). */
  fc1: Tensor;
  /** Down projection (fc2, W_down). */
  fc2: Tensor;
  /** Gate projection of gated MLPs (SwiGLU, GeGLU). */
  gate?: Tensor;
  b1?: Tensor;
  b2?: Tensor;
}

export type AttentionKernel = (
  g: Graph,
  x: Tensor,
  w: AttentionWeights,
  cfg: AttentionConfig,
  tap?: Tap,
) => AttentionResult;
export type ActivationKernel = (g: Graph, x: Tensor) => Tensor;
export type NormKernel = (g: Graph, x: Tensor, eps: number, p?: NormParams, tap?: Tap) => Tensor;
export type MlpKernel = (g: Graph, x: Tensor, w: MlpWeights, act: ActivationKernel, tap?: Tap) => Tensor;
/** Adds position information to token embeddings [T, C] for positions 0..T−1 (a no-op for positions applied inside attention). */
export type PositionKernel = (g: Graph, tokens: Tensor, wpe?: Tensor, tap?: Tap) => Tensor;
/** The token embeddings [T, C] as they enter the residual stream (Gemma scales them by √C). */
export type EmbeddingScaleKernel = (g: Graph, tokens: Tensor) => Tensor;

/**
 * One block's parts, each already wired to its weights and hook points: the
 * block kernel only decides which stream each part reads and how the
 * residual adds up. `mid` is the stream between attention and the MLP, shown
 * as hook_resid_mid (a sequential block only: parallel blocks have none).
 */
export interface BlockParts {
  norm1(x: Tensor): Tensor;
  norm2(x: Tensor): Tensor;
  attention(h: Tensor): Tensor;
  mlp(h: Tensor): Tensor;
  mid(x: Tensor): Tensor;
}
export type BlockKernel = (g: Graph, x: Tensor, parts: BlockParts) => Tensor;

export interface SlotImpl {
  attention_type: AttentionKernel;
  activation: ActivationKernel;
  norm_type: NormKernel;
  mlp_type: MlpKernel;
  positional_encoding: PositionKernel;
  block_type: BlockKernel;
  embedding_scale: EmbeddingScaleKernel;
  has_bias: never;
  tied_embeddings: never;
}

export interface KernelEntry<S extends Slot = Slot> {
  slot: S;
  /** The value a contract writes, e.g. "gqa", "swiglu", "true". */
  value: string;
  title: string;
  formula: string;
  description: string;
  /**
   * Relative complexity within the slot; the kernel with the lower number is
   * "simpler". Equal numbers with the same `kind` mean the same mechanism.
   */
  complexity: number;
  /** Values that name the same mechanism share a kind (learned and absolute positions). */
  kind: string;
  /** Whether dispatch.ts has a function for it; explain-only otherwise. */
  executable: boolean;
}
