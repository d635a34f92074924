/**
 * The logit lens: the residual stream after the embedding and after every
 * layer, read out through the model's own final norm and output head, as if
 * the model stopped there. Shows at which layer the prediction forms. Every
 * position is read, the last included (the prediction a user wants); where a
 * position has no target (the last of a text), its target fields are null.
 */
import { softmax, topK, type Activation, type Engine } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { TraceReportSchema } from './schema.js';

export type Lens = NonNullable<Static<typeof TraceReportSchema>['lens']>;

/** Candidates listed per position and stage. */
export const LENS_TOP = 3;

/** The target's rank in a distribution: 1 + the number of tokens more likely than it (ties share the better rank). */
export function rankOf(p: ArrayLike<number>, target: number): number {
  const pt = p[target]!;
  let above = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > pt) above++;
  return above + 1;
}

/** P and rank of the target, or nulls where the position has none. */
export function targetOf(
  p: ArrayLike<number>,
  target: number | null,
): { pTarget: number | null; targetRank: number | null } {
  return target === null ? { pTarget: null, targetRank: null } : { pTarget: p[target]!, targetRank: rankOf(p, target) };
}

/**
 * `targets[pos]` is the token position pos should predict, or null (the last
 * position of a text). A stream read out is a unit of work (yielded); told to
 * stop, the lens holds the streams read out so far.
 */
export function* lensStages(
  engine: Engine,
  streams: ReadonlyArray<{ after: string; values: Activation }>,
  opts: { targets: ReadonlyArray<number | null>; label: (id: number) => string },
): Generator<number, { lens: Lens; interrupted: boolean }, boolean> {
  const V = engine.info.vocab,
    rows = opts.targets.length;
  const lens: Lens = [];
  for (const r of streams) {
    const logits = engine.unembed(r.values.subarray(0, rows * engine.info.dModel), rows);
    lens.push({
      after: r.after,
      positions: opts.targets.map((target, pos) => {
        const p = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
        return {
          pos,
          top: topK(p, LENS_TOP).map((id) => ({ label: opts.label(id), p: p[id]! })),
          ...targetOf(p, target),
        };
      }),
    });
    if (yield 1) return { lens, interrupted: lens.length < streams.length };
  }
  return { lens, interrupted: false };
}
