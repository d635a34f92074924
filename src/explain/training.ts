import { RECIPE } from '../model/recipe.js';
import type { TapedEngine } from '../model/taped-engine.js';
import { meanLoss } from './eval.js';
import { buildSampleReport } from './sample.js';
import type { Static } from '@sinclair/typebox';
import type { TrainReportSchema } from './schema.js';

export type TrainReport = Static<typeof TrainReportSchema>;

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

/** What a training run did and where it got: the loss curve, the corpus loss, a few samples. */
export function buildTrainReport(
  engine: TapedEngine,
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
  const { model, chars: tokenizer } = engine;
  const samples = buildSampleReport(engine, [tokenizer.bos], {
    n: RECIPE.samplesAfterTraining,
    maxTokens: engine.info.context,
    temperature: RECIPE.temperature,
    seed: run.seed,
    explain: false,
  }).samples;
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
    corpusLoss: meanLoss(
      engine,
      docs.map((d) => tokenizer.encodeDoc(d)),
    ).loss,
    uniformLoss: Math.log(tokenizer.vocabSize),
    vocabSize: tokenizer.vocabSize,
    out: run.out,
    samples: samples.map((s) => s.text ?? ''),
    samplesTemperature: RECIPE.temperature,
  };
}
