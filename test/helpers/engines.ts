/** Engines for tests: a taped model (microGPT, a tiny family, one built by hand) with what tests read off it. */
import type { Engine, Hook } from '../../src/engine/index.js';
import { meanLoss } from '../../src/explain/eval.js';
import { attentionOf } from '../../src/explain/run.js';
import { buildSampleReport } from '../../src/explain/sample.js';
import { Tokenizer, type Gpt } from '../../src/model/index.js';
import { TapedEngine } from '../../src/model/taped-engine.js';

export function taped(model: Gpt, tokenizer = Tokenizer.default(), weightsFrom = 'test'): TapedEngine {
  return new TapedEngine(model, tokenizer, {
    family: model.architecture.family,
    weightsFrom,
    trained: false,
    training: null,
  });
}

/** Logits at the last position of `ids`, under hooks. */
export const lastLogits = (engine: Engine, ids: readonly number[], hooks: Hook[] = []) =>
  engine.run(ids, { hooks, logits: 'last' }).logits;

/** Mean next-token loss of one document, under hooks. */
export const docLoss = (engine: Engine, doc: readonly number[], hooks: Hook[] = []) =>
  meanLoss(engine, [doc], hooks).loss;

/** Every layer's and head's [query][key] weights. */
export const attention = (engine: Engine, ids: readonly number[]) => attentionOf(engine, ids);

/** Mean next-token loss of a taped model over names ([BOS, chars…, BOS]): eval's number. */
export const corpusLoss = (model: Gpt, tokenizer: Tokenizer, names: readonly string[]) =>
  meanLoss(
    taped(model, tokenizer),
    names.map((n) => tokenizer.encodeDoc(n)),
  ).loss;

/** n names from a taped model, from [BOS] until BOS (the sample report's samples). */
export const sampleNames = (model: Gpt, tokenizer: Tokenizer, n: number, temperature: number, seed: number) =>
  buildSampleReport(taped(model, tokenizer), [tokenizer.bos], {
    n,
    maxTokens: model.config.blockSize,
    temperature,
    seed,
    explain: true,
  }).samples.map((s) => ({ ...s, text: s.text ?? '' }));
