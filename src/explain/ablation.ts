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
import {
  blockHook,
  cachingHook,
  documentWindows,
  parseHook,
  windowLoss,
  Work,
  type Activation,
  type Engine,
  type Hook,
  type WorkOptions,
} from '../engine/index.js';
import { LOSS_UNIT } from './eval.js';

export type AblationReport = Static<typeof AblationReportSchema>;

/** A component: one head of a layer, or a layer's MLP (head null). */
export interface Component {
  layer: number;
  head: number | null;
}

type Means = Map<string, Float64Array>;
type Docs = ReadonlyArray<readonly number[]>;

/**
 * The clean run over every document, once: its loss (eval's definition, in
 * eval's order of sums) and, per position, the mean of every head output
 * (hook_z) and MLP output (hook_mlp_out) over the documents.
 */
async function cleanPass(engine: Engine, docs: Docs, work: Work) {
  const sums: Means = new Map();
  // Positions a run can have: the longest document's inputs, at most one context window.
  const longest = Math.min(engine.info.context, Math.max(...docs.map((d) => d.length - 1)));
  const counts = new Float64Array(longest);
  const add: Hook = {
    wants: (name) => {
      const point = parseHook(name)?.point;
      return point === 'attn.hook_z' || point === 'hook_mlp_out';
    },
    visit: (name, values, shape) => {
      let sum = sums.get(name);
      if (!sum) sums.set(name, (sum = new Float64Array(longest * (values.length / shape[0]!))));
      for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
    },
  };
  let total = 0,
    tokens = 0;
  for (const doc of docs) {
    let docTotal = 0;
    for (const chunk of documentWindows(doc, engine.info.context)) {
      const T = chunk.length - 1;
      docTotal += windowLoss(engine.run(chunk.slice(0, -1), { hooks: [add] }).logits, chunk, engine.info.vocab);
      for (let t = 0; t < T; t++) counts[t]!++;
      tokens += T;
      await work.step();
    }
    total += docTotal;
  }
  for (const sum of sums.values()) {
    const per = sum.length / longest;
    for (let i = 0; i < sum.length; i++)
      sum[i] = counts[Math.floor(i / per)]! ? sum[i]! / counts[Math.floor(i / per)]! : 0;
  }
  return { clean: total / tokens, tokens, means: sums };
}

/**
 * The mean loss under each of several hook sets, every one starting at block
 * `layer` from the clean stream entering it (everything before an ablation
 * there is unchanged), the variants of one window run together. The sums are
 * made in eval's order (window, then document), so each loss equals a whole
 * run with those hooks bit for bit.
 */
async function lossesFrom(
  engine: Engine,
  docs: Docs,
  layer: number,
  variants: ReadonlyArray<readonly Hook[]>,
  tokens: number,
  work: Work,
): Promise<number[] | null> {
  const totals = variants.map(() => 0);
  const entering = blockHook(layer, 'hook_resid_pre');
  for (const doc of docs) {
    const docTotals = variants.map(() => 0);
    for (const chunk of documentWindows(doc, engine.info.context)) {
      const inputs = chunk.slice(0, -1);
      const { hook, cache } = cachingHook((n) => n === entering);
      engine.run(inputs, { hooks: [hook], logits: 'last' });
      const from = { layer, resid: cache.get(entering)!.values };
      engine
        .runVariants(inputs, variants, { from, logits: 'all' })
        .forEach((r, v) => (docTotals[v]! += windowLoss(r.logits, chunk, engine.info.vocab)));
      if (!(await work.step())) return null;
    }
    docTotals.forEach((t, v) => (totals[v]! += t));
  }
  return totals.map((t) => t / tokens);
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

/**
 * Every head and MLP ablated alone (zero and mean), ranked by the loss rise,
 * and a set together. Layer by layer: each layer's 2·(heads + 1) variants run
 * from the clean stream entering it, together. Stopped early (Ctrl-C), the
 * report holds the layers finished.
 */
export async function buildAblationReport(
  engine: Engine,
  docs: Docs,
  opts: { data: string; sample?: AblationReport['sample']; together?: readonly Component[]; work?: WorkOptions },
): Promise<AblationReport> {
  const { layers, heads } = engine.info;
  const windows = docs.reduce((n, d) => n + documentWindows(d, engine.info.context).length, 0);
  const work = new Work(windows * (1 + layers + (opts.together?.length ? 1 : 0)), opts.work);
  const { clean, tokens, means } = await cleanPass(engine, docs, work);
  // One window: the mean at each position is that window's own value, so mean ablation writes every
  // value over itself and its loss is the clean loss, bit for bit. Only the zero ablations need running.
  const single = windows === 1;
  const result = (zero: number, mean: number) => ({ zero, mean, zeroDelta: zero - clean, meanDelta: mean - clean });
  const rows: AblationReport['rows'] = [];
  let layersDone = 0;
  for (let l = 0; l < layers && !work.stopped; l++) {
    const parts: Component[] = [
      ...Array.from({ length: heads }, (_, h) => ({ layer: l, head: h })),
      { layer: l, head: null },
    ];
    const variants = [
      ...parts.map((c) => [ablating(engine, [c], null)]),
      ...(single ? [] : parts.map((c) => [ablating(engine, [c], means)])),
    ];
    const losses = await lossesFrom(engine, docs, l, variants, tokens, work);
    if (!losses) break;
    parts.forEach((c, i) => rows.push({ ...c, ...result(losses[i]!, single ? clean : losses[parts.length + i]!) }));
    layersDone++;
  }
  rows.sort((a, b) => b.zeroDelta - a.zeroDelta || a.layer - b.layer || (a.head ?? -1) - (b.head ?? -1));
  let together: AblationReport['together'] = null;
  if (opts.together?.length && layersDone === layers) {
    const first = Math.min(...opts.together.map((c) => c.layer));
    const both = [
      [ablating(engine, opts.together, null)],
      ...(single ? [] : [[ablating(engine, opts.together, means)]]),
    ];
    const losses = await lossesFrom(engine, docs, first, both, tokens, work);
    if (losses) together = { components: [...opts.together], ...result(losses[0]!, single ? clean : losses[1]!) };
  }
  return {
    kind: 'ablation',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    data: opts.data,
    documents: docs.length,
    layers,
    heads,
    clean,
    sample: opts.sample ?? null,
    unit: LOSS_UNIT,
    rows,
    together,
    interrupted: work.stopped,
    layersDone,
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
