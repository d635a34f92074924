/**
 * Activation patching: run a clean and a corrupted input of the same length,
 * then rerun the corrupted one with one activation copied in from the clean
 * run — one head's output at one position, or the residual stream entering a
 * layer at one position — and measure how much of the clean logit of the
 * target it restores: (patched − corrupt) / (clean − corrupt).
 */
import { MicrogptError } from '../errors.js';
import type { AblationModel, Hooks } from './ablation.js';
import type { Static } from '@sinclair/typebox';
import type { PatchReportSchema } from './schema.js';

export type PatchReport = Static<typeof PatchReportSchema>;

type Values = Float32Array | Float64Array;

export function buildPatchReport(
  m: AblationModel,
  clean: { ids: readonly number[]; labels: string[]; text: string },
  corrupt: { ids: readonly number[]; labels: string[]; text: string },
  target: { id: number; label: string },
): PatchReport {
  if (clean.ids.length !== corrupt.ids.length)
    throw new MicrogptError(
      'MG088',
      `clean and corrupt inputs must be the same length to patch position by position: ${clean.ids.length} and ${corrupt.ids.length} tokens`,
    );
  const T = clean.ids.length;
  const heads: Values[] = [];
  const residual: Values[] = [];
  const cleanLogit = m.lastLogits(clean.ids, {
    heads: (l, out) => void (heads[l] = out.slice()),
    residual: (l, x) => void (residual[l] = x.slice()),
  })[target.id]!;
  const corruptLogit = m.lastLogits(corrupt.ids)[target.id]!;
  if (cleanLogit === corruptLogit)
    throw new MicrogptError(
      'MG088',
      `the target's logit is the same (${cleanLogit}) on both inputs: there is nothing to restore; choose inputs the model tells apart`,
    );
  const restored = (hooks: Hooks) =>
    (m.lastLogits(corrupt.ids, hooks)[target.id]! - corruptLogit) / (cleanLogit - corruptLogit);
  const d = m.headDim,
    HD = m.heads * d,
    C = m.width;
  const positions = Array.from({ length: T }, (_, p) => p);
  const headRows = [];
  for (let l = 0; l < m.layers; l++)
    for (let h = 0; h < m.heads; h++)
      headRows.push({
        layer: l,
        head: h,
        restored: positions.map((p) =>
          restored({
            heads: (layer, out) => {
              if (layer !== l) return;
              const at = p * HD + h * d;
              for (let e = 0; e < d; e++) out[at + e] = heads[l]![at + e]!;
            },
          }),
        ),
      });
  const residualRows = Array.from({ length: m.layers + 1 }, (_, l) => ({
    layer: l,
    restored: positions.map((p) =>
      restored({
        residual: (layer, x) => {
          if (layer !== l) return;
          for (let e = 0; e < C; e++) x[p * C + e] = residual[l]![p * C + e]!;
        },
      }),
    ),
  }));
  return {
    kind: 'patch',
    family: m.family,
    weightsFrom: m.weightsFrom,
    clean: { text: clean.text, tokens: clean.labels },
    corrupt: { text: corrupt.text, tokens: corrupt.labels },
    target,
    cleanLogit,
    corruptLogit,
    layers: m.layers,
    heads: headRows,
    residual: residualRows,
  };
}
