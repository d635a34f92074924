import { Graph, Rng } from '../tensor/index.js';
import type { Gpt } from './gpt.js';
import type { Tokenizer } from './tokenizer.js';

export interface Candidate {
  id: number;
  label: string;
  /** Probability at temperature 1. */
  p: number;
  /** Probability after dividing the logits by the temperature. */
  pT: number;
}

export interface SampleStep {
  pos: number;
  chosen: Candidate;
  top: Candidate[];
}

export interface SampledName {
  text: string;
  steps: SampleStep[];
}

/**
 * softmax(logits / T), computed as exp((l − max) / T): the max is taken before
 * dividing, so a tiny T (1e-320) gives the argmax probability 1 instead of
 * ∞ − ∞ = NaN. T = 0 is its limit, greedy decoding: all the probability on the
 * largest logit (the lowest id among equals).
 */
export function softmax(logits: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++)
    if (logits[i] > max) {
      max = logits[i];
      argmax = i;
    }
  if (temperature === 0) {
    out[argmax] = 1;
    return out;
  }
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += out[i] = Math.exp((logits[i] - max) / temperature);
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/**
 * Generates one name: start from [BOS], draw the next token from
 * softmax(logits / temperature), stop at BOS or when the context is full.
 */
export function sampleName(model: Gpt, tokenizer: Tokenizer, rng: Rng, temperature: number, topK = 5): SampledName {
  const ids = [tokenizer.bos];
  const steps: SampleStep[] = [];
  const g = new Graph(false);
  while (ids.length <= model.config.blockSize) {
    g.reset();
    const { logits } = model.forward(g, ids);
    const last = logits.data.subarray((ids.length - 1) * logits.cols, ids.length * logits.cols);
    const p = softmax(last, 1);
    const pT = softmax(last, temperature);
    // Greedy (T = 0) draws nothing: the one token with probability 1.
    const id = temperature === 0 ? pT.indexOf(1) : rng.choice(pT);
    const cand = (i: number): Candidate => ({ id: i, label: tokenizer.label(i), p: p[i], pT: pT[i] });
    const top = [...pT.keys()]
      .sort((a, b) => pT[b] - pT[a] || a - b)
      .slice(0, topK)
      .map(cand);
    steps.push({ pos: ids.length - 1, chosen: cand(id), top });
    if (id === tokenizer.bos) break;
    ids.push(id);
    if (ids.length === model.config.blockSize + 1) break;
  }
  return {
    text: ids
      .slice(1)
      .map((i) => tokenizer.label(i))
      .join(''),
    steps,
  };
}

export function sampleNames(
  model: Gpt,
  tokenizer: Tokenizer,
  n: number,
  temperature: number,
  seed: number,
): SampledName[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => sampleName(model, tokenizer, rng, temperature));
}
