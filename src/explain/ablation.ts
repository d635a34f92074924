/**
 * Causal evidence for what heads do: remove a head's (or an MLP's) output and
 * see what happens to the loss. Zero ablation sets it to 0; mean ablation sets
 * it to its mean over the data at each position (so with one example the mean
 * is that example's own output and nothing changes). Both go through the
 * model's own forward pass as an intervention, not a copy of the model.
 */
import type { Static } from '@sinclair/typebox';
import type { AblationReportSchema } from './schema.js';
import { MicrogptError } from '../errors.js';
import type { Gpt, Intervention } from '../model/index.js';
import type { HfSource } from '../model/hf/load.js';
import type { HfIntervention } from '../model/hf/forward.js';
import { softmax } from '../model/sample.js';
import { Graph } from '../tensor/index.js';

export type AblationReport = Static<typeof AblationReportSchema>;

type Values = Float32Array | Float64Array;

/** Per layer, a hook that sees (and may overwrite) the head outputs [T, heads·d] and the MLP output [T, width]. */
export interface Hooks {
  residual?: (layer: number, x: Values, T: number) => void;
  heads?: (layer: number, out: Values, T: number) => void;
  mlp?: (layer: number, out: Values, T: number) => void;
}

/** A model ablation can run: its size and its mean next-token loss on one document under hooks. */
export interface AblationModel {
  family: string;
  weightsFrom: string;
  layers: number;
  heads: number;
  headDim: number;
  width: number;
  loss(doc: readonly number[], hooks?: Hooks): number;
  /** Logits at the last position of an input, under hooks. */
  lastLogits(ids: readonly number[], hooks?: Hooks): ArrayLike<number>;
}

/** A component: one head of a layer, or a layer's MLP (head null). */
export interface Component {
  layer: number;
  head: number | null;
}

/** Sums of each layer's head outputs and MLP outputs per position, over the documents, then divided: the means. */
function meanActivations(m: AblationModel, docs: readonly (readonly number[])[]) {
  const longest = Math.max(...docs.map((d) => d.length));
  const heads = Array.from({ length: m.layers }, () => new Float64Array(longest * m.heads * m.headDim));
  const mlp = Array.from({ length: m.layers }, () => new Float64Array(longest * m.width));
  const count = new Float64Array(longest);
  for (const doc of docs) {
    let T = 0;
    m.loss(doc, {
      heads: (l, out, t) => {
        T = t;
        for (let i = 0; i < out.length; i++) heads[l]![i]! += out[i]!;
      },
      mlp: (l, out) => {
        for (let i = 0; i < out.length; i++) mlp[l]![i]! += out[i]!;
      },
    });
    for (let t = 0; t < T; t++) count[t]!++;
  }
  const divide = (xs: Float64Array[], per: number) =>
    xs.forEach((x) => x.forEach((v, i) => (x[i] = count[Math.floor(i / per)]! ? v / count[Math.floor(i / per)]! : 0)));
  divide(heads, m.heads * m.headDim);
  divide(mlp, m.width);
  return { heads, mlp };
}

/** Hooks that replace the components' outputs: by 0, or by their means at each position. */
function ablating(
  m: AblationModel,
  parts: readonly Component[],
  means: ReturnType<typeof meanActivations> | null,
): Hooks {
  const d = m.headDim,
    HD = m.heads * d;
  return {
    heads: (l, out, T) => {
      for (const c of parts)
        if (c.layer === l && c.head !== null)
          for (let t = 0; t < T; t++)
            for (let e = 0; e < d; e++) {
              const i = t * HD + c.head * d + e;
              out[i] = means ? means.heads[l]![i]! : 0;
            }
    },
    mlp: (l, out, T) => {
      for (const c of parts)
        if (c.layer === l && c.head === null)
          for (let i = 0; i < T * m.width; i++) out[i] = means ? means.mlp[l]![i]! : 0;
    },
  };
}

const meanLoss = (m: AblationModel, docs: readonly (readonly number[])[], hooks?: Hooks) =>
  docs.reduce((a, doc) => a + m.loss(doc, hooks), 0) / docs.length;

export function buildAblationReport(
  m: AblationModel,
  docs: readonly (readonly number[])[],
  opts: { data: string; together?: readonly Component[] },
): AblationReport {
  const clean = meanLoss(m, docs);
  const means = meanActivations(m, docs);
  const measure = (parts: readonly Component[]) => {
    const zero = meanLoss(m, docs, ablating(m, parts, null));
    const mean = meanLoss(m, docs, ablating(m, parts, means));
    return { zero, mean, zeroDelta: zero - clean, meanDelta: mean - clean };
  };
  const components: Component[] = [];
  for (let l = 0; l < m.layers; l++) {
    for (let h = 0; h < m.heads; h++) components.push({ layer: l, head: h });
    components.push({ layer: l, head: null });
  }
  const rows = components
    .map((c) => ({ ...c, ...measure([c]) }))
    .sort((a, b) => b.zeroDelta - a.zeroDelta || a.layer - b.layer || (a.head ?? -1) - (b.head ?? -1));
  return {
    kind: 'ablation',
    family: m.family,
    weightsFrom: m.weightsFrom,
    data: opts.data,
    documents: docs.length,
    layers: m.layers,
    heads: m.heads,
    clean,
    rows,
    together: opts.together?.length ? { components: [...opts.together], ...measure(opts.together) } : null,
  };
}

/** microGPT or a tiny family model: loss is the training loss of one name [BOS, chars…, BOS]. */
export function nativeAblationModel(model: Gpt, source: { family: string; weightsFrom: string }): AblationModel {
  return {
    family: source.family,
    weightsFrom: source.weightsFrom,
    layers: model.config.nLayer,
    heads: model.config.nHead,
    headDim: model.config.nEmbd / model.config.nHead,
    width: model.config.nEmbd,
    loss: (doc, hooks) => model.loss(new Graph(false), doc, hooks as Intervention | undefined).data[0]!,
    lastLogits: (ids, hooks) => {
      const { logits } = model.forward(new Graph(false), ids, false, hooks as Intervention | undefined);
      return logits.data.subarray((ids.length - 1) * logits.cols, ids.length * logits.cols);
    },
  };
}

/** A real checkpoint: loss is the mean −ln P(next token) over the document's positions. */
export function realAblationModel(src: HfSource): AblationModel {
  const s = src.spec;
  return {
    family: s.family,
    weightsFrom: src.path,
    layers: s.layers,
    heads: s.heads,
    headDim: s.headDim,
    width: s.hidden,
    loss: (doc, hooks) => {
      const inputs = doc.slice(0, -1);
      const { logits } = src.model.forward(inputs, src.model.newCache(inputs.length), {
        allLogits: true,
        intervene: hooks as HfIntervention | undefined,
      });
      let total = 0;
      for (let t = 0; t < inputs.length; t++)
        total -= Math.log(softmax(logits.subarray(t * s.vocab, (t + 1) * s.vocab), 1)[doc[t + 1]!]!);
      return total / inputs.length;
    },
    lastLogits: (ids, hooks) =>
      src.model.forward(ids, src.model.newCache(ids.length), { intervene: hooks as HfIntervention | undefined }).logits,
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
