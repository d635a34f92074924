/** The activations in float64, as the WebAssembly kernels compute them (assembly/ops.ts), for the JavaScript path. */
import type { Activation } from './types.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erfc(a) for a ≥ 0, accurate relative to its size: 1 − the Maclaurin series
 * of erf below 2.5 (its terms fall below 1e-17 of the sum within 60), the
 * continued fraction of erfc above (Lentz's method), 0 past 27 (below the
 * smallest double).
 */
export function erfcPos(a: number): number {
  if (a < 2.5) {
    const x2 = a * a;
    let term = a,
      sum = a;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - TWO_OVER_SQRT_PI * sum;
  }
  if (!(a < 27)) return a !== a ? a : 0;
  // erfc(a) = e^(−a²)/√π / (a + (1/2)/(a + 1/(a + (3/2)/(a + …)))).
  const tiny = 1e-300;
  let f = a,
    C = a,
    D = 0;
  for (let n = 1; n < 300; n++) {
    const an = n * 0.5;
    D = a + an * D;
    D = D === 0 ? tiny : 1 / D;
    C = a + an / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-a * a) / (f * Math.sqrt(Math.PI));
}

export function erf(x: number): number {
  const e = 1 - erfcPos(Math.abs(x));
  return x < 0 ? -e : e;
}

export function activate(v: number, kind: Activation): number {
  switch (kind) {
    case 'gelu_tanh':
      return 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
    case 'gelu':
      // v·Φ(v), Φ(v) = erfc(−v/√2)/2: exact down the negative tail, where 1 + erf(v/√2) would cancel to 0.
      return v < 0 ? 0.5 * v * erfcPos(-v * Math.SQRT1_2) : 0.5 * v * (2 - erfcPos(v * Math.SQRT1_2));
    case 'silu':
      return v / (1 + Math.exp(-v));
    case 'relu':
      return v > 0 || v !== v ? v : 0;
  }
}
