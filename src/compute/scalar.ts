/** The activations in float64, as the WebAssembly kernels compute them (assembly/ops.ts), for the JavaScript path. */
import type { Activation } from './types.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf: the Maclaurin series below |x| = 2.5, the continued fraction of erfc
 * (Lentz's method) up to 6, ±1 beyond (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    const x2 = x * x;
    let term = x,
      sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (!(a < 6)) return x !== x ? x : x > 0 ? 1 : -1;
  const tiny = 1e-300;
  let f = a,
    C = a,
    D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n * 0.5;
    D = a + an * D;
    D = D === 0 ? tiny : 1 / D;
    C = a + an / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

export function activate(v: number, kind: Activation): number {
  switch (kind) {
    case 'gelu_tanh':
      return 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
    case 'gelu':
      return 0.5 * v * (1 + erf(v * Math.SQRT1_2));
    case 'silu':
      return v / (1 + Math.exp(-v));
    case 'relu':
      return v > 0 || v !== v ? v : 0;
  }
}
