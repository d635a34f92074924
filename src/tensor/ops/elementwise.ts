import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { expectSameShape } from './check.js';

/** a + b, same shapes. */
export function add(g: Graph, a: Tensor, b: Tensor): Tensor {
  expectSameShape('add', a, b);
  const out = g.output(a.shape, a, b);
  for (let i = 0; i < a.size; i++) out.data[i] = a.data[i] + b.data[i];
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i];
    if (b.grad) for (let i = 0; i < b.size; i++) b.grad[i] += G[i];
  });
  return out;
}

/** a ⊙ b, elementwise, same shapes (gates, and weighting an output in gradient checks). */
export function mul(g: Graph, a: Tensor, b: Tensor): Tensor {
  expectSameShape('mul', a, b);
  const out = g.output(a.shape, a, b);
  for (let i = 0; i < a.size; i++) out.data[i] = a.data[i] * b.data[i];
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i] * b.data[i];
    if (b.grad) for (let i = 0; i < b.size; i++) b.grad[i] += G[i] * a.data[i];
  });
  return out;
}

/** s · a for a constant s. */
export function scale(g: Graph, a: Tensor, s: number): Tensor {
  const out = g.output(a.shape, a);
  for (let i = 0; i < a.size; i++) out.data[i] = a.data[i] * s;
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += s * G[i];
  });
  return out;
}

/** max(0, a); the derivative at exactly 0 is taken as 0, as in PyTorch and micrograd. */
export function relu(g: Graph, a: Tensor): Tensor {
  const out = g.output(a.shape, a);
  for (let i = 0; i < a.size; i++) out.data[i] = a.data[i] > 0 ? a.data[i] : 0;
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) if (a.data[i] > 0) a.grad[i] += G[i];
  });
  return out;
}

/** eᵃ. */
export function exp(g: Graph, a: Tensor): Tensor {
  const out = g.output(a.shape, a);
  for (let i = 0; i < a.size; i++) out.data[i] = Math.exp(a.data[i]);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += out.data[i] * G[i];
  });
  return out;
}

/** ln a (a > 0). */
export function log(g: Graph, a: Tensor): Tensor {
  const out = g.output(a.shape, a);
  for (let i = 0; i < a.size; i++) out.data[i] = Math.log(a.data[i]);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i] / a.data[i];
  });
  return out;
}
