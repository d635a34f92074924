import { MicrogptError } from '../errors.js';
import { Adam, Graph, MICROGPT_ADAM, Rng } from '../tensor/index.js';
import type { Gpt } from './gpt.js';
import type { Tokenizer } from './tokenizer.js';

export interface TrainOptions {
  steps: number;
  lr: number;
  seed: number;
}

export interface TrainState {
  step: number;
  loss: number;
  lr: number;
}

/**
 * microgpt's training loop as a generator: one document per step (the corpus
 * shuffled once by the seed, then taken in order), loss = mean cross-entropy
 * over the document's positions, Adam with lr·(1 − step/steps). Yielding after
 * each step lets the caller report progress, yield to the event loop (Ctrl-C)
 * or stop, and always leaves the model at a finished step.
 */
export function* trainSteps(
  model: Gpt,
  tokenizer: Tokenizer,
  docs: readonly string[],
  opts: TrainOptions,
): Generator<TrainState, void, void> {
  // The checkpoint reader lets NaN and infinity through (inspect and validate show them; a run stops at
  // the first hook they reach): Adam would spread them to every weight, so training refuses them here.
  for (const [name, t] of model.params) {
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new MicrogptError(
        'MG060',
        `tensor ${name} holds ${t.data[bad]} at index ${bad}; weights must be finite to train (microgpt validate --scan names every such tensor)`,
      );
  }
  const order = new Rng(opts.seed).shuffle([...docs]);
  const encoded = order.map((d) => tokenizer.encodeDoc(d));
  const adam = new Adam([...model.params.values()], MICROGPT_ADAM);
  const g = new Graph();
  for (let step = 0; step < opts.steps; step++) {
    g.reset();
    const loss = model.loss(g, encoded[step % encoded.length]);
    g.backward(loss);
    const lr = opts.lr * (1 - step / opts.steps);
    const value = loss.data[0];
    // Checked before the update, so a diverging run leaves the model at its last good step.
    if (!Number.isFinite(value))
      throw new MicrogptError(
        'MG070',
        `loss became ${value} at step ${step + 1}; training stopped at the last good step (try a lower --lr)`,
        1,
      );
    adam.step(lr);
    yield { step, loss: value, lr };
  }
}
