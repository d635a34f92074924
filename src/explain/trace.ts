/**
 * The forward pass hook point by hook point (statistics of every activation),
 * then what the model predicts at every position, for any engine. When a text
 * is a whole document (microGPT's names), the last position predicts the end
 * token, so the mean −ln P(target) is exactly the model's loss on this name.
 */
import { parseHook, softmax, tokenLabel, topK, type Activation, type Engine } from '../engine/index.js';
import { buildLens } from './lens.js';
import { runWithCache } from './run.js';
import { stats } from './stats.js';
import type { Static } from '@sinclair/typebox';
import type { TraceReportSchema } from './schema.js';

export type TraceReport = Static<typeof TraceReportSchema>;

/** Candidates listed per prediction. */
const TOP = 3;

export function buildTraceReport(
  engine: Engine,
  ids: readonly number[],
  text: string,
  opts: { lens?: boolean } = {},
): TraceReport {
  const { cache, logits } = runWithCache(engine, ids);
  const whole = engine.info.endsWithEos && engine.eos !== null;
  const targets = whole ? [...ids.slice(1), engine.eos!] : ids.slice(1);
  const label = (id: number) => tokenLabel(engine, id);
  const V = engine.info.vocab;
  const predictions = targets.map((target, pos) => {
    const p = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
    const top = topK(p, TOP).map((i) => ({ label: label(i), p: p[i]! }));
    return { pos, input: label(ids[pos]!), target: label(target), pTarget: p[target]!, top };
  });
  const relu = engine.info.kernels.activation === 'relu';
  return {
    kind: 'trace',
    text,
    weightsFrom: engine.info.weightsFrom,
    tokens: ids.map((id, pos) => ({ pos, id, label: label(id) })),
    stages: [...cache].map(([name, { values, shape }]) => {
      const point = parseHook(name)?.point;
      // Masked scores are −Infinity by definition: the statistics are of the scores a query sees.
      const st = stats(point === 'attn.hook_attn_scores' ? values.filter((v) => v !== -Infinity) : values);
      return { name, shape, stats: st, sparsity: relu && point === 'mlp.hook_post' ? st.zeros : null };
    }),
    predictions,
    lens: opts.lens ? buildLens(engine, lensStreams(engine, cache), { targets, label }) : null,
    targets: whole ? `the next token, ${label(engine.eos!)} after the last` : 'the next token',
    unit: whole ? 'name' : 'text',
    loss: predictions.length ? predictions.reduce((a, p) => a - Math.log(p.pTarget), 0) / predictions.length : NaN,
  };
}

/** The residual stream entering the first block (after any embedding norm) and leaving every block. */
function lensStreams(engine: Engine, cache: ReadonlyMap<string, { values: Activation }>) {
  return [
    { after: 'embedding', values: cache.get('blocks.0.hook_resid_pre')!.values },
    ...Array.from({ length: engine.info.layers }, (_, l) => ({
      after: `layer ${l}`,
      values: cache.get(`blocks.${l}.hook_resid_post`)!.values,
    })),
  ];
}
