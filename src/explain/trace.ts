/**
 * The forward pass hook point by hook point (statistics of every activation),
 * then what the model predicts at every position, for any engine. When a text
 * is a whole document (microGPT's names), the last position predicts the end
 * token, so the mean −ln P(target) is exactly the model's loss on this name;
 * otherwise the last position predicts what comes next, which has no target.
 */
import { MicrogptError } from '../errors.js';
import {
  globMatcher,
  parseHook,
  runSteps,
  softmax,
  tokenLabel,
  topK,
  type Activation,
  type Engine,
  type Steps,
} from '../engine/index.js';
import { lensStages, targetOf } from './lens.js';
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
  opts: { lens?: boolean; names?: readonly string[] } = {},
): TraceReport {
  return runSteps(traceSteps(engine, ids, text, opts));
}

/** The run is one unit, each stage the lens reads out one more; stopped (Ctrl-C), the lens holds those read. */
export function traceSteps(
  engine: Engine,
  ids: readonly number[],
  text: string,
  opts: { lens?: boolean; names?: readonly string[] } = {},
): Steps<TraceReport> {
  return { total: 1 + (opts.lens ? engine.info.layers + 1 : 0), steps: tracing(engine, ids, text, opts) };
}

function* tracing(
  engine: Engine,
  ids: readonly number[],
  text: string,
  opts: { lens?: boolean; names?: readonly string[] },
): Generator<number, TraceReport, boolean> {
  const { cache, logits } = runWithCache(engine, ids);
  let interrupted: boolean = yield 1;
  const whole = engine.info.endsWithEos && engine.eos !== null;
  const targets: Array<number | null> = whole ? [...ids.slice(1), engine.eos!] : [...ids.slice(1), null];
  const label = (id: number) => tokenLabel(engine, id);
  const V = engine.info.vocab;
  const predictions = targets.map((target, pos) => {
    const p = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
    const top = topK(p, TOP).map((i) => ({ label: label(i), p: p[i]! }));
    return {
      pos,
      input: label(ids[pos]!),
      target: target === null ? null : label(target),
      ...targetOf(p, target),
      top,
    };
  });
  const scored = predictions.filter((p) => p.pTarget !== null);
  const relu = engine.info.kernels.activation === 'relu';
  let lens: TraceReport['lens'] = null;
  if (opts.lens && !interrupted) {
    const read = yield* lensStages(engine, lensStreams(engine, cache), { targets, label });
    lens = read.lens;
    interrupted = read.interrupted;
  }
  return {
    kind: 'trace',
    text,
    weightsFrom: engine.info.weightsFrom,
    vocab: V,
    tokens: ids.map((id, pos) => ({ pos, id, label: label(id) })),
    stages: chosenStages(cache, opts.names).map(([name, { values, shape }]) => {
      const point = parseHook(name)?.point;
      // Masked scores are −Infinity by definition: the statistics are of the scores a query sees.
      const st = stats(point === 'attn.hook_attn_scores' ? values.filter((v) => v !== -Infinity) : values);
      return { name, shape, stats: st, sparsity: relu && point === 'mlp.hook_post' ? st.zeros : null };
    }),
    predictions,
    lens,
    targets: whole
      ? `the next token, ${label(engine.eos!)} after the last`
      : 'the next token; the last position has none (what the model would write next)',
    unit: whole ? 'name' : 'text',
    loss: scored.length ? scored.reduce((a, p) => a - Math.log(p.pTarget!), 0) / scored.length : NaN,
    interrupted,
  };
}

/** The hook points to list: every one, or those matching a --names glob; a glob that matches none is an error. */
function chosenStages<T>(cache: ReadonlyMap<string, T>, names: readonly string[] | undefined): Array<[string, T]> {
  const all = [...cache];
  if (!names) return all;
  const match = globMatcher(names);
  const chosen = all.filter(([name]) => match(name));
  if (chosen.length === 0)
    throw new MicrogptError(
      'MG005',
      `--names "${names.join(',')}" matches no hook point; this model's look like ${all[0]?.[0]}, blocks.0.attn.hook_pattern, blocks.0.hook_resid_post (* matches any characters, dots included)`,
    );
  return chosen;
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
