import { describe, expect, it } from 'vitest';
import {
  builtinNames,
  Gpt,
  initParameters,
  MICROGPT,
  MICROGPT_ARCHITECTURE,
  Tokenizer,
  trainSteps,
} from '../../src/model/index.js';
import { Graph } from '../../src/tensor/index.js';
import { attention, taped } from '../helpers/engines.js';

/** The fast path (fused attention) against the plain reference path composed of primitive ops. */
describe('optimised path = reference path', () => {
  const docs = builtinNames();
  const tok = Tokenizer.fromDocs(docs);
  const config = { ...MICROGPT, vocabSize: tok.vocabSize };
  const pair = (seed: number) => [
    new Gpt(config, initParameters(config, seed), MICROGPT_ARCHITECTURE, 'fused'),
    new Gpt(config, initParameters(config, seed), MICROGPT_ARCHITECTURE, 'reference'),
  ];

  it('the forward pass is bit-identical (logits and attention weights)', () => {
    const [fast, ref] = pair(7);
    const ids = tok.encodePrompt('charlotte');
    const [a, b] = [taped(fast, tok), taped(ref, tok)];
    expect(Array.from(a.run(ids).logits)).toEqual(Array.from(b.run(ids).logits));
    expect(attention(a, ids)).toEqual(attention(b, ids));
  });

  it('50 training steps give the same losses to 1e-12', () => {
    const [fast, ref] = pair(42);
    const la = [...trainSteps(fast, tok, docs, { steps: 50, lr: 0.01, seed: 42 })].map((s) => s.loss);
    const lb = [...trainSteps(ref, tok, docs, { steps: 50, lr: 0.01, seed: 42 })].map((s) => s.loss);
    la.forEach((l, i) => expect(Math.abs(l - lb[i])).toBeLessThanOrEqual(1e-12));
  });
});

describe('kernel registry and dispatch', async () => {
  const { KERNELS } = await import('../../src/kernels/index.js');
  const { IMPLEMENTATIONS } = await import('../../src/kernels/dispatch.js');
  it('every entry marked executable has a function, and every function has an entry marked executable', () => {
    for (const k of KERNELS) {
      if (k.slot === 'has_bias' || k.slot === 'tied_embeddings') continue;
      const impls = IMPLEMENTATIONS[k.slot] as Record<string, unknown>;
      expect(k.value in impls, `${k.slot}=${k.value}`).toBe(k.executable);
    }
    for (const [slot, impls] of Object.entries(IMPLEMENTATIONS)) {
      for (const value of Object.keys(impls))
        expect(KERNELS.some((k) => k.slot === slot && k.value === value && k.executable)).toBe(true);
    }
  });
});
