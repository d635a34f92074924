import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { expect2d } from './check.js';

/** a[m,k] · b[k,n] → [m,n]. */
export function matmul(g: Graph, a: Tensor, b: Tensor): Tensor {
  expect2d('matmul', a);
  expect2d('matmul', b);
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (b.shape[0] !== k) throw new Error(`matmul: inner sizes differ: [${m}, ${k}] · [${b.shape[0]}, ${n}]`);
  const out = g.output([m, n], a, b);
  const A = a.data, B = b.data, O = out.data;
  O.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) O[i * n + j] += aip * B[p * n + j];
    }
  }
  g.record(out, () => {
    const G = out.grad!;
    // dA = G · Bᵀ, dB = Aᵀ · G
    if (a.grad) {
      const dA = a.grad;
      for (let i = 0; i < m; i++)
        for (let p = 0; p < k; p++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += G[i * n + j] * B[p * n + j];
          dA[i * k + p] += s;
        }
    }
    if (b.grad) {
      const dB = b.grad;
      for (let i = 0; i < m; i++)
        for (let p = 0; p < k; p++) {
          const aip = A[i * k + p];
          for (let j = 0; j < n; j++) dB[p * n + j] += aip * G[i * n + j];
        }
    }
  });
  return out;
}

/**
 * a[m,k] · b[n,k]ᵀ → [m,n]. This is `linear` for a weight stored [out, in]
 * (y = W·x per row) and the score product Q·Kᵀ of attention; both read rows
 * contiguously, which is why it is its own op rather than transpose + matmul.
 */
export function matmulT(g: Graph, a: Tensor, b: Tensor): Tensor {
  expect2d('matmulT', a);
  expect2d('matmulT', b);
  const [m, k] = a.shape;
  const n = b.shape[0];
  if (b.shape[1] !== k) throw new Error(`matmulT: inner sizes differ: [${m}, ${k}] · [${n}, ${b.shape[1]}]ᵀ`);
  const out = g.output([m, n], a, b);
  const A = a.data, B = b.data, O = out.data;
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[ai + p] * B[bj + p];
      O[i * n + j] = s;
    }
  }
  g.record(out, () => {
    const G = out.grad!;
    // dA = G · B and dB = Gᵀ · A; locals so the loops see plain typed arrays
    const dA = a.grad, dB = b.grad;
    if (dA) {
      for (let i = 0; i < m; i++) {
        const ai = i * k, gi = i * n;
        for (let j = 0; j < n; j++) {
          const gij = G[gi + j];
          if (gij === 0) continue;
          const bj = j * k;
          for (let p = 0; p < k; p++) dA[ai + p] += gij * B[bj + p];
        }
      }
    }
    if (dB) {
      for (let i = 0; i < m; i++) {
        const ai = i * k, gi = i * n;
        for (let j = 0; j < n; j++) {
          const gij = G[gi + j];
          if (gij === 0) continue;
          const bj = j * k;
          for (let p = 0; p < k; p++) dB[bj + p] += gij * A[ai + p];
        }
      }
    }
  });
  return out;
}

/** [m,n] → [n,m]. */
export function transpose(g: Graph, a: Tensor): Tensor {
  expect2d('transpose', a);
  const [m, n] = a.shape;
  const out = g.output([n, m], a);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[j * m + i] = a.data[i * n + j];
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a.grad[i * n + j] += G[j * m + i];
  });
  return out;
}
