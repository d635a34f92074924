import { Rng, Tensor } from '../tensor/index.js';
import type { ModelConfig } from './config.js';

/** Tensor names and shapes in checkpoint order; every matrix is [out, in] (y = W·x). */
export function parameterShapes(c: ModelConfig): Array<[string, [number, number]]> {
  const shapes: Array<[string, [number, number]]> = [
    ['wte', [c.vocabSize, c.nEmbd]],
    ['wpe', [c.blockSize, c.nEmbd]],
    ['lm_head', [c.vocabSize, c.nEmbd]],
  ];
  for (let i = 0; i < c.nLayer; i++) {
    for (const w of ['attn_wq', 'attn_wk', 'attn_wv', 'attn_wo']) shapes.push([`layer${i}.${w}`, [c.nEmbd, c.nEmbd]]);
    shapes.push([`layer${i}.mlp_fc1`, [c.nHidden, c.nEmbd]]);
    shapes.push([`layer${i}.mlp_fc2`, [c.nEmbd, c.nHidden]]);
  }
  return shapes;
}

/** Every weight drawn from N(0, initStd²), in the order of `parameterShapes`, row by row. */
export function initParameters(c: ModelConfig, seed: number): Map<string, Tensor> {
  const rng = new Rng(seed);
  const params = new Map<string, Tensor>();
  for (const [name, shape] of parameterShapes(c)) {
    const t = Tensor.param(shape);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, c.initStd);
    params.set(name, t);
  }
  return params;
}
