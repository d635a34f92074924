import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { unary } from './elementwise.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's gelu_new): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function geluTanh(g: Graph, a: Tensor): Tensor {
  return unary(
    g,
    a,
    (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
    (x) => {
      const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
      const t = Math.tanh(u);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    },
  );
}

/** GELU, exact: x·Φ(x) = 0.5x(1 + erf(x/√2)). */
export function geluExact(g: Graph, a: Tensor): Tensor {
  return unary(
    g,
    a,
    (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
  );
}

/** SiLU (swish): x·σ(x). */
export function silu(g: Graph, a: Tensor): Tensor {
  return unary(
    g,
    a,
    (x) => x / (1 + Math.exp(-x)),
    (x) => {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    },
  );
}

/**
 * The error function to about 1e-14: its Maclaurin series below |x| = 3, and
 * the continued fraction of erfc (Lentz's method) above, where the series
 * would lose digits to cancellation. JavaScript has no Math.erf.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x,
      sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  const tiny = 1e-300;
  let f = ax,
    c = ax,
    d = 0;
  for (let k = 1; k < 200; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : d;
    c = ax + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}
