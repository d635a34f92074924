import { Graph, Tensor } from '../../src/tensor/index.js';

export interface GradCheckResult {
  maxError: number;
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Central finite differences, (f(x+h) − f(x−h)) / 2h, for every element of every
 * input, against the gradient reverse mode computes. Errors are relative to
 * max(1, |analytic|, |numeric|), so tiny gradients are compared absolutely.
 */
export function gradCheck(inputs: Tensor[], f: (g: Graph) => Tensor, h = 1e-6): GradCheckResult {
  for (const t of inputs) t.grad!.fill(0);
  const g = new Graph();
  g.backward(f(g));
  const analytic = inputs.map((t) => Float64Array.from(t.grad!));
  const evaluate = (): number => f(new Graph(false)).data[0];
  let maxError = 0;
  let worst: GradCheckResult['worst'] = null;
  inputs.forEach((t, k) => {
    for (let i = 0; i < t.size; i++) {
      const saved = t.data[i];
      t.data[i] = saved + h;
      const up = evaluate();
      t.data[i] = saved - h;
      const down = evaluate();
      t.data[i] = saved;
      const numeric = (up - down) / (2 * h);
      const a = analytic[k][i];
      const err = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      if (err > maxError) {
        maxError = err;
        worst = { input: k, index: i, analytic: a, numeric };
      }
    }
  });
  return { maxError, worst };
}

/** A parameter with entries drawn uniformly from [lo, hi) by a tiny LCG (independent of the project's PRNG). */
export function randomParam(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return Tensor.param(shape, data);
}
