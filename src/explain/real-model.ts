/**
 * Reports for real checkpoints run by the float32 path (model/hf/): the same
 * attention report as microGPT's, with the architecture read from config.json.
 */
import { kernel } from '../kernels/index.js';
import type { HfSource } from '../model/hf/load.js';
import { tokenLabel } from '../model/hf/load.js';
import type { HfSpec } from '../model/hf/spec.js';
import type { ArchitectureReport } from './architecture.js';
import { attentionReport, checkSelection, type AttentionReport, type HeadSelection } from './attention.js';
import type { KernelChoice } from './formulas.js';
import { stats } from './stats.js';
import { buildLens } from './lens.js';
import type { TraceReport } from './trace.js';
import { softmax } from '../model/sample.js';
import type { AttentionModel } from './detectors.js';
import type { Static } from '@sinclair/typebox';
import type { GenerateReportSchema, RealEvalReportSchema } from './schema.js';
import { generate, sequenceLoss } from '../model/hf/generate.js';

export type GenerateReport = Static<typeof GenerateReportSchema>;
export type RealEvalReport = Static<typeof RealEvalReportSchema>;

/** mha, gqa or mqa from the head counts, as config.json gives them. */
export const attentionTypeOf = (s: HfSpec): string => (s.kvHeads === s.heads ? 'mha' : s.kvHeads === 1 ? 'mqa' : 'gqa');

export function hfKernels(s: HfSpec): KernelChoice {
  return {
    attention_type: attentionTypeOf(s),
    activation: s.mlp === 'swiglu' ? 'silu' : 'gelu',
    norm_type: s.norm,
    mlp_type: s.mlp === 'swiglu' ? 'swiglu' : 'gelu_mlp',
    positional_encoding: s.positions,
    tied_embeddings: s.tied,
  };
}

export function hfArchitectureReport(s: HfSpec, parameters: number): ArchitectureReport {
  const type = attentionTypeOf(s);
  return {
    family: s.family,
    attentionType: type,
    attentionTitle: kernel('attention_type', type).title,
    heads: s.heads,
    kvHeads: s.kvHeads,
    headDim: s.headDim,
    totalAttnDim: s.heads * s.headDim,
    scale: 1 / Math.sqrt(s.headDim),
    layers: s.layers,
    nEmbd: s.hidden,
    blockSize: s.context,
    vocabSize: s.vocab,
    parameters,
  };
}

/** Every layer's heads on the given tokens, with the invariants checked on all of them. */
export function buildRealAttentionReport(
  src: HfSource,
  ids: readonly number[],
  opts: { text: string; seed: number; select: HeadSelection },
): AttentionReport {
  checkSelection(opts.select, src.spec.layers, src.spec.heads);
  const { attention } = src.model.forward(ids, src.model.newCache(ids.length), { attention: true });
  return attentionReport({
    text: opts.text,
    seed: opts.seed,
    weightsFrom: src.path,
    architecture: hfArchitectureReport(src.spec, src.model.weights.parameterCount),
    kernels: hfKernels(src.spec),
    ids,
    labels: ids.map((id) => tokenLabel(src, id)),
    attention: attention!,
    select: opts.select,
  });
}

/** A real checkpoint, for the detectors: random tokens from the whole vocabulary, BOS from config.json. */
export function realAttentionModel(src: HfSource): AttentionModel {
  return {
    family: src.spec.family,
    weightsFrom: src.path,
    layers: src.spec.layers,
    heads: src.spec.heads,
    context: src.spec.context,
    drawFrom: src.spec.vocab,
    bos: src.spec.bosId,
    attention: (ids) => src.model.forward(ids, src.model.newCache(ids.length), { attention: true }).attention!,
  };
}

/** Tokens generated after a prompt, each with its probability, and why generation stopped. */
export function buildGenerateReport(
  src: HfSource,
  prompt: readonly number[],
  opts: { maxTokens: number; temperature: number; seed: number },
): GenerateReport {
  const out = generate(src.model, prompt, opts);
  const piece = (id: number) => ({ id, piece: tokenLabel(src, id) });
  return {
    kind: 'generate',
    family: src.spec.family,
    weightsFrom: src.path,
    tokenizer: src.tokenizer?.source ?? null,
    prompt: prompt.map(piece),
    temperature: opts.temperature,
    greedy: opts.temperature === 0,
    seed: opts.seed,
    maxTokens: opts.maxTokens,
    generated: out.tokens.map((t) => ({ ...piece(t.id), p: t.p, pT: t.pT })),
    stop: out.stop,
    text: src.tokenizer ? src.tokenizer.decode([...prompt, ...out.tokens.map((t) => t.id)]) : null,
  };
}

/** Perplexity over documents (one per line), each tokenized as the tokenizer does for a prompt. */
export function buildRealEvalReport(src: HfSource, docs: readonly number[][], data: string): RealEvalReport {
  let total = 0,
    tokens = 0;
  for (const ids of docs) {
    const { loss, predicted } = sequenceLoss(src.model, ids);
    if (predicted) {
      total += loss * predicted;
      tokens += predicted;
    }
  }
  const meanLoss = tokens ? total / tokens : NaN;
  return {
    kind: 'real-eval',
    family: src.spec.family,
    weightsFrom: src.path,
    data,
    documents: docs.length,
    tokens,
    meanLoss,
    perplexity: Math.exp(meanLoss),
    uniformLoss: Math.log(src.spec.vocab),
  };
}

/**
 * The forward pass of a real checkpoint stage by stage (statistics of every
 * stage), then what it predicts after each token: the next input token is
 * the target, so the mean −ln P(target) is the model's loss on this text.
 */
export function buildRealTraceReport(
  src: HfSource,
  ids: readonly number[],
  text: string,
  opts: { lens?: boolean } = {},
): TraceReport {
  const stages: TraceReport['stages'] = [];
  const residuals: Array<{ after: string; values: Float32Array }> = [];
  const { logits } = src.model.forward(ids, src.model.newCache(ids.length), {
    allLogits: true,
    tap: (name, values, shape) => {
      stages.push({ name, shape, stats: stats(values), sparsity: null });
      if (name.startsWith('embedding')) residuals.push({ after: 'embedding', values: values.slice() });
      if (name.endsWith('residual (after MLP)'))
        residuals.push({ after: name.replace(' residual (after MLP)', ''), values: values.slice() });
    },
  });
  const V = src.spec.vocab;
  const label = (id: number) => tokenLabel(src, id);
  const predictions = ids.slice(1).map((target, pos) => {
    const p = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
    const top = [...p.keys()]
      .sort((a, b) => p[b]! - p[a]! || a - b)
      .slice(0, 3)
      .map((i) => ({ label: label(i), p: p[i]! }));
    return { pos, input: label(ids[pos]!), target: label(target), pTarget: p[target]!, top };
  });
  return {
    kind: 'trace',
    text,
    weightsFrom: src.path,
    tokens: ids.map((id, pos) => ({ pos, id, label: label(id) })),
    stages,
    predictions,
    lens: opts.lens
      ? buildLens(
          residuals.map((r) => ({ after: r.after, values: r.values.subarray(0, (ids.length - 1) * src.spec.hidden) })),
          (values) => src.model.unembed(Float32Array.from(values), ids.length - 1),
          { vocab: V, targets: ids.slice(1), label },
        )
      : null,
    targets: 'the next token',
    unit: 'text',
    loss: predictions.length ? predictions.reduce((a, p) => a - Math.log(p.pTarget), 0) / predictions.length : NaN,
  };
}
