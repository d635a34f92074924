import { MicrogptError } from '../errors.js';
import { learnedPositions, mha, mhaReference, relu, reluMlp, rmsnorm } from './impl.js';
import { KERNELS, kernel } from './registry.js';
import type { Slot, SlotImpl } from './types.js';

/** "fused" runs the fast kernels; "reference" runs their plain compositions of primitive ops. */
export type KernelPath = 'fused' | 'reference';

type FunctionSlot = Exclude<Slot, 'has_bias' | 'tied_embeddings'>;

/**
 * The functions behind the registry's executable entries, found by lookup,
 * never by an if-chain. `reference` is the same kernel composed from
 * primitive ops where `impl` is fused for speed: the truth it is tested against.
 */
export const IMPLEMENTATIONS: { [S in FunctionSlot]: Record<string, { impl: SlotImpl[S]; reference?: SlotImpl[S] }> } = {
  attention_type: { mha: { impl: mha, reference: mhaReference } },
  activation: { relu: { impl: relu } },
  norm_type: { rmsnorm: { impl: rmsnorm } },
  mlp_type: { relu_mlp: { impl: reluMlp } },
  positional_encoding: { learned: { impl: learnedPositions } },
};

/** The function for a kernel this tool can execute; explain-only kernels are an error here. */
export function executable<S extends FunctionSlot>(slot: S, value: string, path: KernelPath = 'fused'): SlotImpl[S] {
  const entry = kernel(slot, value);
  const found = IMPLEMENTATIONS[slot][entry.value];
  if (!found) {
    const runs = KERNELS.filter((k) => k.slot === slot && k.executable).map((k) => k.value);
    throw new MicrogptError('MG021', `${slot} "${entry.value}" is explain-only in this version; executable: ${runs.join(', ')}`);
  }
  return (path === 'reference' && found.reference) || found.impl;
}
