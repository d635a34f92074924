import { MicrogptError } from '../errors.js';
import { RECIPE } from '../model/recipe.js';
import { corpusLoss, sampleNames, type Gpt, type SampledName, type Tokenizer } from '../model/index.js';
import type { Static } from '@sinclair/typebox';
import type { EvalReportSchema, SampleReportSchema, TrainReportSchema } from './schema.js';

export type TrainReport = Static<typeof TrainReportSchema>;

export type EvalReport = Static<typeof EvalReportSchema>;

export type SampleReport = Static<typeof SampleReportSchema>;

/** Names drawn from a model, each step's candidates kept for --explain. */
export function buildSampleReport(
  model: Gpt,
  tokenizer: Tokenizer,
  opts: { n: number; temperature: number; seed: number; weightsFrom: string; explain: boolean },
): SampleReport {
  return {
    kind: 'sample',
    weightsFrom: opts.weightsFrom,
    seed: opts.seed,
    temperature: opts.temperature,
    greedy: opts.temperature === 0,
    endToken: tokenizer.label(tokenizer.bos),
    names: sampleNames(model, tokenizer, opts.n, opts.temperature, opts.seed),
    explain: opts.explain,
  };
}

/** Mean of the last `window` losses. */
export function recentMean(losses: readonly number[], window: number = RECIPE.recentLossWindow): number {
  const tail = losses.slice(-window);
  return tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
}

/** Means of consecutive buckets, at most `points` of them: a readable curve from thousands of noisy steps. */
export function lossCurve(losses: readonly number[], points = 60): { bucket: number; values: number[] } {
  const bucket = Math.max(1, Math.ceil(losses.length / points));
  const values: number[] = [];
  for (let i = 0; i < losses.length; i += bucket) {
    const part = losses.slice(i, i + bucket);
    values.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return { bucket, values };
}

/** The mean per-name loss of a model over a corpus; names with characters the model does not know are an error. */
export function buildEvalReport(
  model: Gpt,
  tokenizer: Tokenizer,
  docs: readonly string[],
  data: string,
  weightsFrom: string,
  inSample: boolean,
): EvalReport {
  const known = new Set(tokenizer.chars);
  const unknown = [...new Set(docs.flatMap((d) => [...d]).filter((c) => !known.has(c)))];
  if (unknown.length) {
    const bad = docs.filter((d) => [...d].some((c) => !known.has(c))).length;
    throw new MicrogptError(
      'MG043',
      `${data}: ${bad} names use characters the model does not know (${unknown
        .slice(0, 10)
        .map((c) => JSON.stringify(c))
        .join(', ')}); the model's vocabulary is ${tokenizer.describeVocab()}`,
    );
  }
  const meanLoss = corpusLoss(model, tokenizer, docs);
  return {
    kind: 'eval',
    weightsFrom,
    data,
    documents: docs.length,
    meanLoss,
    perplexity: Math.exp(meanLoss),
    uniformLoss: Math.log(tokenizer.vocabSize),
    inSample,
  };
}

/** What a training run did and where it got: the loss curve, the corpus loss, a few samples. */
export function buildTrainReport(
  model: Gpt,
  tokenizer: Tokenizer,
  docs: readonly string[],
  run: {
    losses: number[];
    seconds: number;
    interrupted: boolean;
    family: string;
    data: string;
    seed: number;
    lr: number;
    stepsRequested: number;
    out: string | null;
  },
): TrainReport {
  return {
    kind: 'train',
    family: run.family,
    size: {
      layers: model.config.nLayer,
      embd: model.config.nEmbd,
      heads: model.config.nHead,
      kvHeads: model.config.nKvHead,
      parameters: model.parameterCount,
    },
    data: run.data,
    documents: docs.length,
    vocab: tokenizer.chars.join(''),
    seed: run.seed,
    lr: run.lr,
    stepsRequested: run.stepsRequested,
    stepsDone: run.losses.length,
    interrupted: run.interrupted,
    seconds: run.seconds,
    stepsPerSecond: run.losses.length / run.seconds,
    losses: run.losses,
    curve: lossCurve(run.losses),
    recentLoss: recentMean(run.losses),
    recentWindow: Math.min(RECIPE.recentLossWindow, run.losses.length),
    corpusLoss: corpusLoss(model, tokenizer, docs),
    uniformLoss: Math.log(tokenizer.vocabSize),
    vocabSize: tokenizer.vocabSize,
    out: run.out,
    samples: sampleNames(model, tokenizer, RECIPE.samplesAfterTraining, RECIPE.temperature, run.seed).map(
      (s) => s.text,
    ),
    samplesTemperature: RECIPE.temperature,
  };
}
