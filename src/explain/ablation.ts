/**
 * Causal evidence for what heads do: remove a head's (or an MLP's) output and
 * see what happens to the loss. Zero ablation sets it to 0; mean ablation sets
 * it to its mean over the data at each position (so with one example the mean
 * is that example's own output and nothing changes). Both are hooks on the
 * engine's own forward pass (attn.hook_z per head, hook_mlp_out per MLP), not
 * a copy of the model; the loss is eval's: mean −ln P(next token) per token.
 */
import type { Static } from '@sinclair/typebox';
import type { AblationReportSchema } from './schema.js';
import { MicrogptError } from '../errors.js';
import { blockHook, parseHook, type Activation, type Engine, type Hook } from '../engine/index.js';
import { LOSS_UNIT, meanLoss } from './eval.js';

export type AblationReport = Static<typeof AblationReportSchema>;

/** A component: one head of a layer, or a layer's MLP (head null). */
export interface Component {
  layer: number;
  head: number | null;
}

type Means = Map<string, Float64Array>;

/** Per position, the mean of every head output (hook_z) and MLP output (hook_mlp_out) over the documents. */
function meanActivations(engine: Engine, docs: readonly (readonly number[])[]): Means {
  const sums: Means = new Map();
  // Positions a run can have: the longest document's inputs, at most one context window.
  const longest = Math.min(engine.info.context, Math.max(...docs.map((d) => d.length - 1)));
  const counts = new Float64Array(longest);
  const wanted = (name: string) => {
    const point = parseHook(name)?.point;
    return point === 'attn.hook_z' || point === 'hook_mlp_out';
  };
  const add: Hook = {
    wants: wanted,
    visit: (name, values, shape) => {
      let sum = sums.get(name);
      if (!sum) sums.set(name, (sum = new Float64Array(longest * (values.length / shape[0]!))));
      for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
    },
  };
  const count: Hook = {
    wants: (name) => name === 'blocks.0.hook_resid_pre',
    visit: (_, __, shape) => {
      for (let t = 0; t < shape[0]!; t++) counts[t]!++;
    },
  };
  meanLoss(engine, docs, [add, count]);
  for (const sum of sums.values()) {
    const per = sum.length / longest;
    for (let i = 0; i < sum.length; i++)
      sum[i] = counts[Math.floor(i / per)]! ? sum[i]! / counts[Math.floor(i / per)]! : 0;
  }
  return sums;
}

/** A hook that replaces the components' outputs: by 0, or by their means at each position. */
function ablating(engine: Engine, parts: readonly Component[], means: Means | null): Hook {
  const d = engine.info.headDim;
  const targets = new Map<string, Component[]>();
  for (const c of parts) {
    const name = blockHook(c.layer, c.head === null ? 'hook_mlp_out' : 'attn.hook_z');
    targets.set(name, [...(targets.get(name) ?? []), c]);
  }
  return {
    wants: (name) => targets.has(name),
    visit: (name, out: Activation, shape) => {
      const mean = means?.get(name);
      const T = shape[0]!,
        width = out.length / T;
      for (const c of targets.get(name)!)
        for (let t = 0; t < T; t++) {
          const [from, n] = c.head === null ? [0, width] : [c.head * d, d];
          for (let e = 0; e < n; e++) out[t * width + from + e] = mean ? mean[t * width + from + e]! : 0;
        }
    },
  };
}

export function buildAblationReport(
  engine: Engine,
  docs: readonly (readonly number[])[],
  opts: { data: string; together?: readonly Component[] },
): AblationReport {
  const { layers, heads } = engine.info;
  const clean = meanLoss(engine, docs).loss;
  const means = meanActivations(engine, docs);
  const measure = (parts: readonly Component[]) => {
    const zero = meanLoss(engine, docs, [ablating(engine, parts, null)]).loss;
    const mean = meanLoss(engine, docs, [ablating(engine, parts, means)]).loss;
    return { zero, mean, zeroDelta: zero - clean, meanDelta: mean - clean };
  };
  const components: Component[] = [];
  for (let l = 0; l < layers; l++) {
    for (let h = 0; h < heads; h++) components.push({ layer: l, head: h });
    components.push({ layer: l, head: null });
  }
  const rows = components
    .map((c) => ({ ...c, ...measure([c]) }))
    .sort((a, b) => b.zeroDelta - a.zeroDelta || a.layer - b.layer || (a.head ?? -1) - (b.head ?? -1));
  return {
    kind: 'ablation',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    data: opts.data,
    documents: docs.length,
    layers,
    heads,
    clean,
    unit: LOSS_UNIT,
    rows,
    together: opts.together?.length ? { components: [...opts.together], ...measure(opts.together) } : null,
  };
}

/** "0.1,1.3" → layer 0 head 1, layer 1 head 3; "1.mlp" → layer 1's MLP. Every part checked against the model. */
export function parseComponents(list: string, m: { layers: number; heads: number }): Component[] {
  return list.split(',').map((raw) => {
    const part = raw.trim();
    const [l, h, ...rest] = part.split('.');
    const layer = Number(l);
    const head = h === 'mlp' ? null : Number(h);
    if (rest.length || !/^\d+$/.test(l ?? '') || (head !== null && !/^\d+$/.test(h ?? '')))
      throw new MicrogptError('MG005', `"${part}" is not a head: write LAYER.HEAD (e.g. 0.1) or LAYER.mlp`);
    if (layer >= m.layers)
      throw new MicrogptError('MG005', `layer ${layer} does not exist; the model has layers 0..${m.layers - 1}`);
    if (head !== null && head >= m.heads)
      throw new MicrogptError('MG005', `head ${head} does not exist; the model has heads 0..${m.heads - 1}`);
    return { layer, head };
  });
}
