/**
 * Activation patching: run a clean and a corrupted input of the same length,
 * then rerun the corrupted one with one activation copied in from the clean
 * run — one head's output (attn.hook_z) at one position, or the residual
 * stream entering a layer (hook_resid_pre; after the last, hook_resid_post)
 * at one position — and measure how much of the clean logit of the target it
 * restores: (patched − corrupt) / (clean − corrupt).
 */
import { MicrogptError } from '../errors.js';
import { blockHook, cachingHook, pointHook, type Engine, type Hook } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { PatchReportSchema } from './schema.js';

export type PatchReport = Static<typeof PatchReportSchema>;

/** The stream entering layer l, or leaving the last one (l = layers). */
const residualHook = (l: number, layers: number) =>
  l < layers ? blockHook(l, 'hook_resid_pre') : blockHook(layers - 1, 'hook_resid_post');

export function buildPatchReport(
  engine: Engine,
  clean: { ids: readonly number[]; labels: string[]; text: string },
  corrupt: { ids: readonly number[]; labels: string[]; text: string },
  target: { id: number; label: string },
): PatchReport {
  if (clean.ids.length !== corrupt.ids.length)
    throw new MicrogptError(
      'MG088',
      `clean and corrupt inputs must be the same length to patch position by position: ${clean.ids.length} and ${corrupt.ids.length} tokens`,
    );
  const { layers, heads, headDim: d, dModel: C } = engine.info;
  const T = clean.ids.length;
  const lastLogit = (ids: readonly number[], hooks: Hook[] = []) =>
    engine.run(ids, { hooks, logits: 'last' }).logits[target.id]!;
  const names = new Set([
    ...Array.from({ length: layers }, (_, l) => blockHook(l, 'attn.hook_z')),
    ...Array.from({ length: layers + 1 }, (_, l) => residualHook(l, layers)),
  ]);
  const { hook, cache } = cachingHook((n) => names.has(n));
  const cleanLogit = lastLogit(clean.ids, [hook]);
  const corruptLogit = lastLogit(corrupt.ids);
  if (cleanLogit === corruptLogit)
    throw new MicrogptError(
      'MG088',
      `the target's logit is the same (${cleanLogit}) on both inputs: there is nothing to restore; choose inputs the model tells apart`,
    );
  /** The share restored by copying the clean values [from, from + n) at `name` into the corrupted run. */
  const restored = (name: string, from: number, n: number) => {
    const source = cache.get(name)!.values;
    const patch = pointHook(name, (out) => {
      for (let e = 0; e < n; e++) out[from + e] = source[from + e]!;
    });
    return (lastLogit(corrupt.ids, [patch]) - corruptLogit) / (cleanLogit - corruptLogit);
  };
  const positions = Array.from({ length: T }, (_, p) => p);
  const headRows = [];
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      headRows.push({
        layer: l,
        head: h,
        restored: positions.map((p) => restored(blockHook(l, 'attn.hook_z'), (p * heads + h) * d, d)),
      });
  const residualRows = Array.from({ length: layers + 1 }, (_, l) => ({
    layer: l,
    restored: positions.map((p) => restored(residualHook(l, layers), p * C, C)),
  }));
  return {
    kind: 'patch',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    clean: { text: clean.text, tokens: clean.labels },
    corrupt: { text: corrupt.text, tokens: corrupt.labels },
    target,
    cleanLogit,
    corruptLogit,
    layers,
    heads: headRows,
    residual: residualRows,
  };
}
