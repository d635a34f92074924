/**
 * Samples from any engine: microGPT's names (from [BOS], until BOS is drawn)
 * and a real model's continuations of a prompt, from one generation loop and
 * one seeded PRNG, every step's top candidates kept for --explain.
 */
import { generate, tokenLabel, type Engine } from '../engine/index.js';
import { Rng } from '../tensor/index.js';
import type { Static } from '@sinclair/typebox';
import type { SampleReportSchema } from './schema.js';

export type SampleReport = Static<typeof SampleReportSchema>;

export function buildSampleReport(
  engine: Engine,
  prompt: readonly number[],
  opts: { n: number; maxTokens: number; temperature: number; seed: number; explain: boolean },
): SampleReport {
  const rng = new Rng(opts.seed);
  const label = (id: number) => tokenLabel(engine, id);
  const names = engine.info.endsWithEos;
  const candidate = (c: { id: number; p: number; pT: number }) => ({ id: c.id, label: label(c.id), p: c.p, pT: c.pT });
  const samples = Array.from({ length: opts.n }, () => {
    const out = generate(engine, prompt, { maxTokens: opts.maxTokens, temperature: opts.temperature, rng });
    const drawn = out.tokens.map((t) => t.id).filter((id) => !(names && id === engine.eos));
    const decode = engine.tokenizer?.decode;
    return {
      text: decode ? decode(names ? drawn : [...prompt, ...drawn]) : null,
      stop: out.stop,
      steps: out.tokens.map((t, i) => ({
        pos: prompt.length - 1 + i,
        chosen: candidate(t),
        top: t.top.map(candidate),
      })),
    };
  });
  return {
    kind: 'sample',
    family: engine.info.family,
    weightsFrom: engine.info.weightsFrom,
    tokenizer: engine.tokenizer?.source ?? null,
    names,
    seed: opts.seed,
    temperature: opts.temperature,
    greedy: opts.temperature === 0,
    maxTokens: opts.maxTokens,
    endToken: engine.eos === null ? null : label(engine.eos),
    explain: opts.explain,
    prompt: prompt.map((id) => ({ id, label: label(id) })),
    samples,
  };
}
