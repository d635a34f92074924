/**
 * Saved activations: TransformerLens's run_with_cache for people who analyse in
 * their own tools. Every hook point (or every one a pattern matches) of one run,
 * float32, named by its hook name and shaped as TransformerLens's cache for a
 * batch of one ([1, pos, d_model]; the pattern [1, head, query_pos, key_pos]).
 */
import { runWithCache } from './run.js';
import { shapeOf, tokenLabel, type Engine } from '../engine/index.js';
import type { Static } from '@sinclair/typebox';
import type { CacheReportSchema } from './schema.js';

export type CacheReport = Static<typeof CacheReportSchema>;

/** Bytes per saved value: every activation is written as float32. */
const F32 = 4;

/** The hook points a cache of `T` tokens holds, with their shapes and sizes, before anything runs. */
export function planCache(engine: Engine, T: number, match: (name: string) => boolean) {
  const points = engine
    .hookPoints()
    .filter((p) => match(p.name))
    .map((p) => {
      const shape = [1, ...shapeOf(p.axes, engine.info, T)];
      return {
        name: p.name,
        axes: ['batch', ...p.axes].map(String),
        shape,
        bytes: shape.reduce((a, b) => a * b, 1) * F32,
      };
    });
  return { points, bytes: points.reduce((a, p) => a + p.bytes, 0) };
}

/** Runs the model once and keeps every planned hook point, as float32 tensors in forward order. */
export function runCache(engine: Engine, ids: readonly number[], match: (name: string) => boolean) {
  const { cache } = runWithCache(engine, ids, match);
  return [...cache].map(([name, { values, shape }]) => ({
    name,
    shape: [1, ...shape],
    values: values instanceof Float32Array ? values : Float32Array.from(values),
  }));
}

export function buildCacheReport(
  engine: Engine,
  ids: readonly number[],
  plan: ReturnType<typeof planCache>,
  opts: { text: string | null; out: string | null; patterns: readonly string[]; listed: boolean },
): CacheReport {
  return {
    kind: 'cache',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    text: opts.text,
    tokens: ids.map((id, pos) => ({ pos, id, label: tokenLabel(engine, id) })),
    patterns: [...opts.patterns],
    // Without an input the shapes are only their axes: positions are unknown.
    points: plan.points.map((p) => ({
      ...p,
      shape: opts.listed ? null : p.shape,
      bytes: opts.listed ? null : p.bytes,
    })),
    bytes: opts.listed ? null : plan.bytes,
    out: opts.out,
  };
}
