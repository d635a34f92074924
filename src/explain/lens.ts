/**
 * The logit lens: the residual stream after the embedding and after every
 * layer, read out through the model's own final norm and output head, as if
 * the model stopped there. Shows at which layer the prediction forms.
 */
import { softmax } from '../model/sample.js';
import type { TraceReport } from './trace.js';

export type Lens = NonNullable<TraceReport['lens']>;

/** Candidates listed per position and stage. */
export const LENS_TOP = 3;

export function buildLens(
  residuals: ReadonlyArray<{ after: string; values: ArrayLike<number> }>,
  unembed: (values: ArrayLike<number>) => ArrayLike<number>,
  opts: { vocab: number; targets: readonly number[]; label: (id: number) => string },
): Lens {
  const V = opts.vocab;
  return residuals.map((r) => {
    const logits = unembed(r.values);
    return {
      after: r.after,
      positions: opts.targets.map((target, pos) => {
        const p = softmax(Array.prototype.slice.call(logits, pos * V, (pos + 1) * V) as number[], 1);
        const top = [...p.keys()]
          .sort((a, b) => p[b]! - p[a]! || a - b)
          .slice(0, LENS_TOP)
          .map((id) => ({ label: opts.label(id), p: p[id]! }));
        return { pos, top, pTarget: p[target]! };
      }),
    };
  });
}
