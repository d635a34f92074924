import { Gpt, loadCheckpoint, MICROGPT, Tokenizer } from '../model/index.js';

/** The model a command works on: a checkpoint, or a fresh microGPT from the seed. */
export interface ModelSource {
  model: Gpt;
  tokenizer: Tokenizer;
  family: string;
  weightsFrom: string;
  training: Record<string, unknown> | null;
  trained: boolean;
}

export function modelFrom(opts: { model?: string; seed: number }): ModelSource {
  if (opts.model !== undefined) {
    const c = loadCheckpoint(opts.model);
    return { model: c.model, tokenizer: c.tokenizer, family: c.family, weightsFrom: opts.model, training: c.training, trained: true };
  }
  return {
    model: Gpt.init(MICROGPT, opts.seed),
    tokenizer: Tokenizer.default(),
    family: 'microgpt',
    weightsFrom: `random initialization (seed ${opts.seed})`,
    training: null,
    trained: false,
  };
}
