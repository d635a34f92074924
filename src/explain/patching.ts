/**
 * Activation patching: run a clean and a corrupted input of the same length,
 * then rerun the corrupted one with one activation copied in from the clean
 * run — one head's output (attn.hook_z) at one position, or the residual
 * stream entering a layer (hook_resid_pre; after the last, hook_resid_post)
 * at one position — and measure how much of the clean logit of the target it
 * restores: (patched − corrupt) / (clean − corrupt).
 */
import { MicrogptError } from '../errors.js';
import { blockHook, cachingHook, pointHook, Work, type Engine, type Hook, type WorkOptions } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { PatchReportSchema } from './schema.js';

export type PatchReport = Static<typeof PatchReportSchema>;

/** The stream entering layer l, or leaving the last one (l = layers). */
const residualHook = (l: number, layers: number) =>
  l < layers ? blockHook(l, 'hook_resid_pre') : blockHook(layers - 1, 'hook_resid_post');

/**
 * Every head output and residual-stream position patched in turn. Layer by
 * layer, the patched runs of one layer start from the corrupted stream
 * entering it (nothing before the patch changes) and run together; each share
 * equals a whole patched run's, bit for bit. Stopped early (Ctrl-C), the
 * report holds the layers finished.
 */
export async function buildPatchReport(
  engine: Engine,
  clean: { ids: readonly number[]; labels: string[]; text: string },
  corrupt: { ids: readonly number[]; labels: string[]; text: string },
  target: { id: number; label: string },
  opts: { work?: WorkOptions } = {},
): Promise<PatchReport> {
  if (clean.ids.length !== corrupt.ids.length)
    throw new MicrogptError(
      'MG088',
      `clean and corrupt inputs must be the same length to patch position by position: ${clean.ids.length} and ${corrupt.ids.length} tokens`,
    );
  const { layers, heads, headDim: d, dModel: C } = engine.info;
  const T = clean.ids.length;
  const names = new Set([
    ...Array.from({ length: layers }, (_, l) => blockHook(l, 'attn.hook_z')),
    ...Array.from({ length: layers + 1 }, (_, l) => residualHook(l, layers)),
  ]);
  const run = (ids: readonly number[]) => {
    const { hook, cache } = cachingHook((n) => names.has(n));
    return { logit: engine.run(ids, { hooks: [hook], logits: 'last' }).logits[target.id]!, cache };
  };
  const c = run(clean.ids),
    k = run(corrupt.ids);
  if (c.logit === k.logit)
    throw new MicrogptError(
      'MG088',
      `the target's logit is the same (${c.logit}) on both inputs: there is nothing to restore; choose inputs the model tells apart`,
    );
  /** A variant that copies the clean values [from, from + n) at `name` into the corrupted run. */
  const patch = (name: string, from: number, n: number): Hook[] => {
    const source = c.cache.get(name)!.values;
    return [
      pointHook(name, (out) => {
        for (let e = 0; e < n; e++) out[from + e] = source[from + e]!;
      }),
    ];
  };
  /** The shares restored by variants that all start at block `layer` of the corrupted run. */
  const restored = (layer: number, variants: Hook[][]) =>
    engine
      .runVariants(corrupt.ids, variants, {
        from: { layer, resid: k.cache.get(blockHook(layer, 'hook_resid_pre'))!.values },
        logits: 'last',
      })
      .map((r) => (r.logits[target.id]! - k.logit) / (c.logit - k.logit));
  const positions = Array.from({ length: T }, (_, p) => p);
  const work = new Work(layers + 1, opts.work);
  const headRows: PatchReport['heads'] = [];
  const residualRows: PatchReport['residual'] = [];
  for (let l = 0; l <= layers && !work.stopped; l++) {
    // The stream leaving the last block is patched where that block's output is: from the last block.
    const start = Math.min(l, layers - 1);
    const z = blockHook(l, 'attn.hook_z');
    const headVariants =
      l < layers
        ? Array.from({ length: heads }, (_, h) => positions.map((p) => patch(z, (p * heads + h) * d, d))).flat()
        : [];
    const streamVariants = positions.map((p) => patch(residualHook(l, layers), p * C, C));
    const shares = restored(start, [...headVariants, ...streamVariants]);
    for (let h = 0; h < (l < layers ? heads : 0); h++)
      headRows.push({ layer: l, head: h, restored: shares.slice(h * T, (h + 1) * T) });
    residualRows.push({ layer: l, restored: shares.slice(headVariants.length) });
    await work.step();
  }
  return {
    kind: 'patch',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    clean: { text: clean.text, tokens: clean.labels },
    corrupt: { text: corrupt.text, tokens: corrupt.labels },
    target,
    cleanLogit: c.logit,
    corruptLogit: k.logit,
    layers,
    heads: headRows,
    residual: residualRows,
    interrupted: work.stopped,
  };
}
