import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';

/** Σ a → scalar. */
export function sum(g: Graph, a: Tensor): Tensor {
  const out = g.output([1], a);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i];
  out.data[0] = s;
  g.record(out, () => {
    const d = out.grad![0];
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += d;
  });
  return out;
}

/** (1/n) Σ a → scalar. */
export function mean(g: Graph, a: Tensor): Tensor {
  const out = g.output([1], a);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i];
  out.data[0] = s / a.size;
  g.record(out, () => {
    const d = out.grad![0] / a.size;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += d;
  });
  return out;
}
