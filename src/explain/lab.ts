/**
 * The induction lab: train a 2-layer attention-only model on repeated random
 * sequences and watch the induction head form. Every `every` steps the model is
 * measured on a fixed evaluation batch: the loss on the first copy (random, so
 * it stays near ln V) and on the repeated copy (which falls once induction
 * works), and each head's previous-token and induction scores (the detectors'
 * TransformerLens definitions). At the end, composition: knocking out each
 * layer-0 head and re-measuring the layer-1 heads' induction scores; and every
 * head's attention pattern on one held-out repeated sequence, with and without
 * the knockout, for the pictures.
 */
import { LabEngine, LabModel, labTraining, repeatedBatch, type LabConfig } from '../model/lab.js';
import { Rng } from '../tensor/index.js';
import {
  blockHook,
  cachingHook,
  crossEntropyOf,
  globMatcher,
  pointHook,
  runSteps,
  type Steps,
} from '../engine/index.js';
import { DETECTORS, patternScore } from './detectors.js';
import type { Static } from '@sinclair/typebox';
import type { LabReportSchema } from './schema.js';

export type LabReport = Static<typeof LabReportSchema>;
export type LabPoint = LabReport['points'][number];

/** The repeated copy's loss must fall below this share of ln V to count as the phase change. */
export const PHASE_SHARE = 0.5;
/** Knocking out a layer "destroys" the induction head when its score falls below this share. */
export const COMPOSES = 0.5;
/** Sequences in the evaluation batch, and their fixed k (the middle of the training range). */
const EVAL_SEQUENCES = 16;
/** Seed offsets of the three random streams: training batches, the evaluation batch, the held-out sequence. */
const TRAIN_STREAM = 1;
const EVAL_STREAM = 2;
const HELD_OUT_STREAM = 3;

const previous = DETECTORS.find((d) => d.name === 'previous-token')!.pattern;
const induction = DETECTORS.find((d) => d.name === 'induction')!.pattern;

/** The hook that zeroes a layer's attention output (none without a knockout). */
const knockoutHooks = (knockout?: number) =>
  knockout === undefined ? [] : [pointHook(blockHook(knockout, 'hook_attn_out'), (out) => out.fill(0))];

/** Every layer's attention pattern [query][key] on one sequence, read from the run's hook_pattern. */
function patterns(engine: LabEngine, inputs: readonly number[], knockout?: number) {
  const { hook, cache } = cachingHook(globMatcher(['blocks.*.attn.hook_pattern']));
  const { logits } = engine.run(inputs, { hooks: [...knockoutHooks(knockout), hook] });
  const T = inputs.length;
  const attention = Array.from({ length: engine.info.layers }, (_, l) => {
    const p = cache.get(`blocks.${l}.attn.hook_pattern`)!.values;
    return Array.from({ length: T }, (_, i) => Array.from(p.subarray(i * T, (i + 1) * T)));
  });
  return { logits, attention };
}

/** Mean −ln P(next) over the positions of each copy, and every head's two scores, on the evaluation batch. */
function measure(engine: LabEngine, batch: number[][], k: number, knockout?: number) {
  const V = engine.info.vocab;
  let first = 0,
    second = 0,
    n1 = 0,
    n2 = 0;
  const layers = engine.info.layers;
  const prev = Array.from({ length: layers }, () => 0);
  const ind = Array.from({ length: layers }, () => 0);
  for (const seq of batch) {
    const inputs = seq.slice(0, -1);
    const { logits, attention } = patterns(engine, inputs, knockout);
    for (let t = 1; t < inputs.length; t++) {
      const nll = crossEntropyOf(logits.subarray(t * V, (t + 1) * V), seq[t + 1]!);
      // Position t predicts token t + 1: the first copy is tokens 2..k, the repeated one k + 2..2k.
      if (t + 1 <= k) {
        first += nll;
        n1++;
      } else if (t + 1 >= k + 2) {
        second += nll;
        n2++;
      }
    }
    attention.forEach((a, l) => {
      prev[l]! += patternScore(a, inputs, previous) / batch.length;
      ind[l]! += patternScore(a, inputs, induction) / batch.length;
    });
  }
  return { first: first / n1, second: second / n2, previous: prev, induction: ind };
}

/** The lab as steps (one a training step), so Ctrl-C stops it with a report of the steps run (runStepsWith). */
export function labSteps(
  config: LabConfig,
  opts: { steps: number; every: number; onPoint?: (p: LabPoint, done: number) => void },
): Steps<LabReport> {
  return { total: opts.steps, steps: labRun(config, opts) };
}

/** The whole lab at once (tests, library callers). */
export const runLab = (config: LabConfig, opts: Parameters<typeof labSteps>[1]): LabReport =>
  runSteps(labSteps(config, opts));

function* labRun(config: LabConfig, opts: Parameters<typeof labSteps>[1]): Generator<number, LabReport, boolean> {
  const engine = new LabEngine(new LabModel(config));
  const evalK = Math.floor((config.minK + config.maxK) / 2);
  const evalBatch = repeatedBatch(new Rng(config.seed + EVAL_STREAM), { ...config, batch: EVAL_SEQUENCES }, evalK);
  const threshold = PHASE_SHARE * Math.log(config.vocab);
  const points: LabPoint[] = [];
  const start = performance.now();
  let phase: { step: number; seconds: number } | null = null;
  let step = 0;
  let interrupted = false;
  for (const loss of labTraining(engine.model, new Rng(config.seed + TRAIN_STREAM), opts.steps)) {
    step++;
    // Stopped: the step just run is measured too, so the report ends where training did.
    const stopping = step < opts.steps && (yield 1);
    if (step % opts.every === 0 || step === opts.steps || stopping) {
      const m = measure(engine, evalBatch, evalK);
      const point = {
        step,
        trainLoss: loss,
        firstHalf: m.first,
        repeatedHalf: m.second,
        previous: m.previous,
        induction: m.induction,
      };
      points.push(point);
      if (!phase && m.second < threshold) phase = { step, seconds: (performance.now() - start) / 1000 };
      opts.onPoint?.(point, step);
    }
    if (stopping) {
      interrupted = true;
      break;
    }
  }
  const last = points.at(-1)!;
  // Composition: which layer-0 head's removal destroys the later layers' induction scores.
  const inductionLayer = last.induction.indexOf(Math.max(...last.induction));
  const previousLayer = last.previous.indexOf(Math.max(...last.previous));
  const composition = Array.from({ length: config.layers }, (_, layer) => layer)
    .filter((layer) => layer !== inductionLayer)
    .map((layer) => {
      const knocked = measure(engine, evalBatch, evalK, layer);
      return {
        knockedOut: layer,
        induction: knocked.induction,
        repeatedHalf: knocked.second,
        // The induction head needs this layer when removing it takes away at least half its score.
        destroys: knocked.induction[inductionLayer]! < COMPOSES * last.induction[inductionLayer]!,
      };
    });
  // One more repeated sequence, from its own stream: every layer's attention pattern on it, trained and
  // with each knocked-out layer removed, for the page's heatmaps.
  const heldOut = repeatedBatch(new Rng(config.seed + HELD_OUT_STREAM), { ...config, batch: 1 }, evalK)[0]!;
  return {
    kind: 'lab',
    config: { ...config, steps: opts.steps, evalK, evalSequences: EVAL_SEQUENCES },
    threshold,
    uniformLoss: Math.log(config.vocab),
    phase,
    seconds: (performance.now() - start) / 1000,
    points,
    final: { inductionLayer, previousLayer, induction: last.induction, previous: last.previous },
    composition,
    heldOut: {
      k: evalK,
      ids: heldOut,
      bos: engine.model.bos,
      attention: patterns(engine, heldOut).attention,
      knockedOut: composition.map((c) => ({
        layer: c.knockedOut,
        attention: patterns(engine, heldOut, c.knockedOut).attention,
      })),
    },
    learned: phase !== null,
    stepsRun: step,
    interrupted,
  };
}
