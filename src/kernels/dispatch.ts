import { MicrogptError } from '../errors.js';
import {
  attention,
  geluExact,
  geluTanh,
  gatedMlp,
  layernorm,
  learnedPositions,
  mhaReference,
  noPositions,
  offsetRmsnorm,
  parallelBlock,
  plainMlp,
  relu,
  rmsnorm,
  sequentialBlock,
  sharedNormBlock,
  silu,
  sqrtHiddenEmbedding,
  unscaledEmbedding,
} from './impl.js';
import { KERNELS, kernel } from './registry.js';
import type { Slot, SlotImpl } from './types.js';

/** "fused" runs the fast kernels; "reference" runs their plain compositions of primitive ops. */
export type KernelPath = 'fused' | 'reference';

type FunctionSlot = Exclude<Slot, 'has_bias' | 'tied_embeddings'>;

interface Implementation<S extends FunctionSlot> {
  impl: SlotImpl[S];
  /** The same kernel composed from primitive ops, where `impl` is fused: the truth it is tested against. */
  reference?: SlotImpl[S];
  /** Variants a contract can pick, e.g. GELU's exact form instead of the tanh approximation. */
  variants?: Record<string, SlotImpl[S]>;
}

/**
 * The functions behind the registry's executable entries, found by lookup,
 * never by an if-chain. MHA, GQA and MQA share one function: the number of
 * K/V heads is the only difference.
 */
export const IMPLEMENTATIONS: { [S in FunctionSlot]: Record<string, Implementation<S>> } = {
  attention_type: {
    mha: { impl: attention, reference: mhaReference },
    gqa: { impl: attention },
    mqa: { impl: attention },
  },
  activation: {
    relu: { impl: relu },
    gelu: { impl: geluTanh, variants: { tanh: geluTanh, none: geluExact } },
    silu: { impl: silu },
  },
  norm_type: { rmsnorm: { impl: rmsnorm }, layernorm: { impl: layernorm }, offset_rmsnorm: { impl: offsetRmsnorm } },
  mlp_type: {
    relu_mlp: { impl: plainMlp },
    gelu_mlp: { impl: plainMlp },
    swiglu: { impl: gatedMlp },
    gated_mlp: { impl: gatedMlp },
  },
  positional_encoding: {
    learned: { impl: learnedPositions },
    absolute: { impl: learnedPositions },
    rope: { impl: noPositions },
    partial_rope: { impl: noPositions },
    alibi: { impl: noPositions },
    none: { impl: noPositions },
  },
  block_type: {
    sequential: { impl: sequentialBlock },
    parallel: { impl: parallelBlock },
    parallel_shared_norm: { impl: sharedNormBlock },
  },
  embedding_scale: { none: { impl: unscaledEmbedding }, sqrt_hidden: { impl: sqrtHiddenEmbedding } },
};

/** The function for a kernel this tool can execute; explain-only kernels are an error here. */
export function executable<S extends FunctionSlot>(
  slot: S,
  value: string,
  path: KernelPath = 'fused',
  variant?: string,
): SlotImpl[S] {
  const entry = kernel(slot, value);
  const found = IMPLEMENTATIONS[slot][entry.value] as Implementation<S> | undefined;
  if (!found) {
    const runs = KERNELS.filter((k) => k.slot === slot && k.executable).map((k) => k.value);
    throw new MicrogptError(
      'MG021',
      `${slot} "${entry.value}" is explain-only in this version; executable: ${runs.join(', ')}`,
    );
  }
  if (path === 'reference' && found.reference) return found.reference;
  return (variant !== undefined && found.variants?.[variant]) || found.impl;
}
