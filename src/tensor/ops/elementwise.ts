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

/**
 * An elementwise op from its value function and its derivative, written once
 * for every smooth activation; `df` gets the input and the output (exp's
 * derivative is its output, so nothing is computed twice).
 */
export function unary(g: Graph, a: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  const out = g.output(a.shape, a);
  for (let i = 0; i < a.size; i++) out.data[i] = f(a.data[i]);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i] * df(a.data[i], out.data[i]);
  });
  return out;
}

/** eᵃ. */
export const exp = (g: Graph, a: Tensor): Tensor => unary(g, a, Math.exp, (_x, y) => y);

/** ln a (a > 0). */
export const log = (g: Graph, a: Tensor): Tensor => unary(g, a, Math.log, (x) => 1 / x);
