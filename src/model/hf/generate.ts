/**
 * Generation and scoring with a real checkpoint: the prompt runs once, then
 * each new token runs alone against the KV cache. Sampling is microGPT's
 * (softmax of logits / T from the seeded PRNG; T = 0 takes the likeliest).
 */
import { Rng } from '../../tensor/index.js';
import { softmax } from '../sample.js';
import type { HfModel } from './forward.js';

export interface Generated {
  /** Each token with its probability at temperature 1 (p) and after the temperature (pT). */
  tokens: Array<{ id: number; p: number; pT: number }>;
  stop: 'eos' | 'max-tokens' | 'context';
}

export function generate(
  model: HfModel,
  prompt: readonly number[],
  opts: { maxTokens: number; temperature: number; seed: number },
): Generated {
  const s = model.spec;
  const rng = new Rng(opts.seed);
  const cache = model.newCache(Math.min(s.context, prompt.length + opts.maxTokens));
  let logits = model.forward(prompt, cache).logits;
  const tokens: Generated['tokens'] = [];
  for (;;) {
    const pT = softmax(logits, opts.temperature);
    const id = opts.temperature === 0 ? pT.indexOf(1) : rng.choice(pT);
    tokens.push({ id, p: softmax(logits, 1)[id]!, pT: pT[id]! });
    if (s.eosId !== null && id === s.eosId) return { tokens, stop: 'eos' };
    if (tokens.length >= opts.maxTokens) return { tokens, stop: 'max-tokens' };
    if (cache.length >= cache.capacity) return { tokens, stop: 'context' };
    logits = model.forward([id], cache).logits;
  }
}

/** Mean −ln P(next token) over a sequence's positions, in windows of the context length. */
export function sequenceLoss(model: HfModel, ids: readonly number[]): { loss: number; predicted: number } {
  const window = model.spec.context;
  let total = 0,
    predicted = 0;
  for (let start = 0; start + 1 < ids.length; start += window) {
    const chunk = ids.slice(start, Math.min(ids.length, start + window + 1));
    const inputs = chunk.slice(0, -1);
    const { logits } = model.forward(inputs, model.newCache(inputs.length), { allLogits: true });
    const V = model.spec.vocab;
    for (let t = 0; t < inputs.length; t++) {
      const p = softmax(logits.subarray(t * V, (t + 1) * V), 1);
      total -= Math.log(p[chunk[t + 1]!]!);
      predicted++;
    }
  }
  return { loss: predicted ? total / predicted : NaN, predicted };
}
