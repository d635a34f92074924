/**
 * Generation and scoring, once for every engine: the prompt runs once, then
 * each new token runs alone after it (against the KV cache where the engine
 * has one). Sampling is microGPT's: softmax of logits / T from the seeded
 * PRNG; T = 0 takes the likeliest.
 */
import type { Rng } from '../tensor/index.js';
import { crossEntropyOf, softmax, topK } from './softmax.js';
import type { Engine } from './types.js';
import type { Activation } from './site.js';

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

/** A document cut into windows of the context: each window's inputs and the tokens they predict (one more, shifted). */
export function documentWindows(ids: readonly number[], context: number): Array<readonly number[]> {
  const out: Array<readonly number[]> = [];
  for (let start = 0; start + 1 < ids.length; start += context)
    out.push(ids.slice(start, Math.min(ids.length, start + context + 1)));
  return out;
}

/** Σ −ln P(chunk[t + 1]) over a window's positions, from its logits [chunk.length − 1, vocab]. */
export function windowLoss(logits: Activation, chunk: readonly number[], vocab: number): number {
  let total = 0;
  for (let t = 0; t + 1 < chunk.length; t++)
    total += crossEntropyOf(logits.subarray(t * vocab, (t + 1) * vocab), chunk[t + 1]!);
  return total;
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
  let total = 0,
    predicted = 0;
  for (const chunk of documentWindows(ids, engine.info.context)) {
    const { logits } = engine.run(chunk.slice(0, -1), { ...opts, logits: 'all' });
    total += windowLoss(logits, chunk, engine.info.vocab);
    predicted += chunk.length - 1;
  }
  return { total, predicted };
}
