/**
 * The logit lens: the residual stream after the embedding and after every
 * layer, read out through the model's own final norm and output head, as if
 * the model stopped there. Shows at which layer the prediction forms.
 */
import { softmax, topK, type Activation, type Engine } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { TraceReportSchema } from './schema.js';

export type Lens = NonNullable<Static<typeof TraceReportSchema>['lens']>;

/** Candidates listed per position and stage. */
export const LENS_TOP = 3;

export function buildLens(
  engine: Engine,
  streams: ReadonlyArray<{ after: string; values: Activation }>,
  opts: { targets: readonly number[]; label: (id: number) => string },
): Lens {
  const V = engine.info.vocab,
    rows = opts.targets.length;
  return streams.map((r) => {
    const logits = engine.unembed(r.values.subarray(0, rows * engine.info.dModel), rows);
    return {
      after: r.after,
      positions: opts.targets.map((target, pos) => {
        const p = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
        return { pos, top: topK(p, LENS_TOP).map((id) => ({ label: opts.label(id), p: p[id]! })), pTarget: p[target]! };
      }),
    };
  });
}
