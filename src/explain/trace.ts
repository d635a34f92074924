import type { Gpt, Tokenizer } from '../model/index.js';
import { Graph } from '../tensor/index.js';
import { encodeInput } from './attention.js';
import { stats, type Stats } from './stats.js';
import { buildLens, type Lens } from './lens.js';
import { Tensor } from '../tensor/index.js';
import type { Static } from '@sinclair/typebox';
import type { TraceReportSchema } from './schema.js';

export type TraceReport = Static<typeof TraceReportSchema>;

/**
 * The forward pass stage by stage, then what the model predicts at every
 * position. Targets are the next character, and BOS after the last one, so
 * the mean −ln P(target) is exactly the training loss of this name.
 */
export function buildTraceReport(
  model: Gpt,
  tokenizer: Tokenizer,
  text: string,
  weightsFrom: string,
  opts: { lens?: boolean } = {},
): TraceReport {
  const ids = encodeInput(tokenizer, text, model.config.blockSize);
  const { logits, trace } = model.forward(new Graph(false), ids, true);
  const targets = [...ids.slice(1), tokenizer.bos];
  const predictions = targets.map((target, pos) => {
    const row = logits.data.subarray(pos * logits.cols, (pos + 1) * logits.cols);
    const max = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - max));
    const total = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / total);
    const top = [...p.keys()]
      .sort((a, b) => p[b] - p[a] || a - b)
      .slice(0, 3)
      .map((i) => ({ label: tokenizer.label(i), p: p[i] }));
    return { pos, input: tokenizer.label(ids[pos]), target: tokenizer.label(target), pTarget: p[target], top };
  });
  return {
    kind: 'trace',
    text,
    weightsFrom,
    tokens: ids.map((id, pos) => ({ pos, id, label: tokenizer.label(id) })),
    stages: trace!.stages.map((s) => {
      const st = stats(s.values);
      return { name: s.name, shape: s.shape, stats: st, sparsity: s.name.endsWith('activation') ? st.zeros : null };
    }),
    predictions,
    lens: opts.lens ? nativeLens(model, trace!.stages, targets, tokenizer) : null,
    targets: `the next character, ${tokenizer.label(tokenizer.bos)} after the last`,
    unit: 'name',
    loss: predictions.reduce((a, p) => a - Math.log(p.pTarget), 0) / predictions.length,
  };
}

/** The residual stream microGPT's trace recorded (after the embedding, after each layer) through unembed. */
function nativeLens(
  model: Gpt,
  stages: ReadonlyArray<{ name: string; shape: number[]; values: number[] }>,
  targets: readonly number[],
  tokenizer: Tokenizer,
): Lens {
  const a = model.architecture;
  const start = a.embedding_norm ? `${a.norm_type} (embedding)` : 'embedding (wte + wpe)';
  const residuals = stages
    .filter((s) => s.name === start || s.name.endsWith('residual (after MLP)'))
    .map((s) => ({
      after: s.name === start ? 'embedding' : s.name.replace(' residual (after MLP)', ''),
      values: s.values,
      shape: s.shape,
    }));
  const g = new Graph(false);
  return buildLens(
    residuals,
    (values) => model.unembed(g, new Tensor([targets.length, model.config.nEmbd], Float64Array.from(values))).data,
    { vocab: model.config.vocabSize, targets, label: (id) => tokenizer.label(id) },
  );
}
