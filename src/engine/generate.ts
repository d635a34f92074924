/**
 * Generation and scoring, once for every engine: the prompt runs once, then
 * each new token runs alone after it (against the KV cache where the engine
 * has one). Sampling is microGPT's: softmax of logits / T from the seeded
 * PRNG; T = 0 takes the likeliest.
 */
import type { Rng } from '../tensor/index.js';
import { crossEntropyOf, softmax, topK } from './softmax.js';
import type { Engine } from './types.js';

export interface Candidate {
  id: number;
  /** Probability at temperature 1. */
  p: number;
  /** Probability after dividing the logits by the temperature. */
  pT: number;
}

export interface GeneratedToken extends Candidate {
  /** The likeliest tokens after the temperature, the drawn one among them or not. */
  top: Candidate[];
}

export interface Generated {
  tokens: GeneratedToken[];
  /** The end token was drawn; the token limit was reached; the context is full. */
  stop: 'eos' | 'max-tokens' | 'context';
}

export function generate(
  engine: Engine,
  prompt: readonly number[],
  opts: { maxTokens: number; temperature: number; rng: Rng; topK?: number },
): Generated {
  const state = engine.newState(Math.min(engine.info.context, prompt.length + opts.maxTokens));
  let logits = engine.run(prompt, { state, logits: 'last' }).logits;
  const tokens: GeneratedToken[] = [];
  for (;;) {
    const p = softmax(logits, 1);
    const pT = softmax(logits, opts.temperature);
    // Greedy (T = 0) draws nothing: the one token with probability 1.
    const id = opts.temperature === 0 ? pT.indexOf(1) : opts.rng.choice(pT);
    const candidate = (i: number): Candidate => ({ id: i, p: p[i]!, pT: pT[i]! });
    tokens.push({ ...candidate(id), top: topK(pT, opts.topK ?? 5).map(candidate) });
    if (id === engine.eos) return { tokens, stop: 'eos' };
    if (tokens.length >= opts.maxTokens) return { tokens, stop: 'max-tokens' };
    if (state.length >= state.capacity) return { tokens, stop: 'context' };
    logits = engine.run([id], { state, logits: 'last' }).logits;
  }
}

/**
 * Σ −ln P(next token) over a sequence's positions and how many were predicted,
 * in windows of the context length (a document longer than the context is
 * scored window by window, each window a fresh run).
 */
export function sequenceLoss(
  engine: Engine,
  ids: readonly number[],
  opts: Parameters<Engine['run']>[1] = {},
): { total: number; predicted: number } {
  const window = engine.info.context,
    V = engine.info.vocab;
  let total = 0,
    predicted = 0;
  for (let start = 0; start + 1 < ids.length; start += window) {
    const chunk = ids.slice(start, Math.min(ids.length, start + window + 1));
    const inputs = chunk.slice(0, -1);
    const { logits } = engine.run(inputs, { ...opts, logits: 'all' });
    for (let t = 0; t < inputs.length; t++) total += crossEntropyOf(logits.subarray(t * V, (t + 1) * V), chunk[t + 1]!);
    predicted += inputs.length;
  }
  return { total, predicted };
}
