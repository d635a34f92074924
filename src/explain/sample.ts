/**
 * Samples from any engine: microGPT's names (from [BOS], until BOS is drawn)
 * and a real model's continuations of a prompt, from one generation loop and
 * one seeded PRNG, every step's top candidates kept for --explain.
 */
import { generating, runSteps, tokenLabel, type Engine, type GeneratedToken, type Steps } from '../engine/index.js';
import { Rng } from '../tensor/index.js';
import type { Static } from '@sinclair/typebox';
import type { SampleReportSchema } from './schema.js';

export type SampleReport = Static<typeof SampleReportSchema>;

interface SampleOptions {
  n: number;
  maxTokens: number;
  temperature: number;
  seed: number;
  explain: boolean;
}

export function buildSampleReport(engine: Engine, prompt: readonly number[], opts: SampleOptions): SampleReport {
  return runSteps(sampleSteps(engine, prompt, opts));
}

/** A token drawn is a unit; stopped (Ctrl-C), the samples so far, the last cut where it stood. */
export function sampleSteps(engine: Engine, prompt: readonly number[], opts: SampleOptions): Steps<SampleReport> {
  return { total: opts.n * opts.maxTokens, steps: sampling(engine, prompt, opts) };
}

function* sampling(
  engine: Engine,
  prompt: readonly number[],
  opts: SampleOptions,
): Generator<number, SampleReport, boolean> {
  const rng = new Rng(opts.seed);
  const label = (id: number) => tokenLabel(engine, id);
  const names = engine.info.endsWithEos;
  const candidate = (c: { id: number; p: number; pT: number }) => ({ id: c.id, label: label(c.id), p: c.p, pT: c.pT });
  const samples: SampleReport['samples'] = [];
  let interrupted = false;
  for (let k = 0; k < opts.n && !interrupted; k++) {
    const draw = generating(engine, prompt, { maxTokens: opts.maxTokens, temperature: opts.temperature, rng });
    const tokens: GeneratedToken[] = [];
    let r = draw.next();
    for (; !r.done; r = draw.next()) {
      tokens.push(r.value);
      if ((interrupted = yield 1)) {
        draw.return(undefined as never); // gives the KV cache back
        break;
      }
    }
    const stop = r.done ? r.value.stop : 'interrupted';
    // A sample that ended before --max-tokens (its end token, the context) counts its unused tokens as done.
    if (r.done && tokens.length < opts.maxTokens) interrupted = yield opts.maxTokens - tokens.length;
    const drawn = tokens.map((t) => t.id).filter((id) => !(names && id === engine.eos));
    const decode = engine.tokenizer?.decode;
    samples.push({
      text: decode ? decode(names ? drawn : [...prompt, ...drawn]) : null,
      stop,
      steps: tokens.map((t, i) => ({ pos: prompt.length - 1 + i, chosen: candidate(t), top: t.top.map(candidate) })),
    });
  }
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
    interrupted,
  };
}
