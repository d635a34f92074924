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
 * It is the hot loop of training, so every sum keeps four independent
 * accumulators (four columns at a time) instead of one long dependency chain.
 */
export function matmulT(g: Graph, a: Tensor, b: Tensor): Tensor {
  expect2d('matmulT', a);
  expect2d('matmulT', b);
  const [m, k] = a.shape;
  const n = b.shape[0];
  if (b.shape[1] !== k) throw new Error(`matmulT: inner sizes differ: [${m}, ${k}] · [${n}, ${b.shape[1]}]ᵀ`);
  const out = g.output([m, n], a, b);
  dotRows(a.data, b.data, out.data, m, n, k);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) accumulateGB(G, b.data, a.grad, m, n, k);
    if (b.grad) accumulateGtA(G, a.data, b.grad, m, n, k);
  });
  return out;
}

/** O[i,j] = Σ_p A[i,p]·B[j,p]. */
function dotRows(A: Float64Array, B: Float64Array, O: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) O[i * n + j] = dot(A, i * k, B, j * k, k);
}

/**
 * Σ_p A[a + p]·B[b + p] for p < k, in four interleaved partial sums. Every dot
 * product of rows in the engine goes through here, so fused ops sum in exactly
 * the order the composed ops do and agree with them bit for bit.
 */
export function dot(A: Float64Array, a: number, B: Float64Array, b: number, k: number): number {
  const k4 = k - (k % 4);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let p = 0; p < k4; p += 4) {
    s0 += A[a + p] * B[b + p];
    s1 += A[a + p + 1] * B[b + p + 1];
    s2 += A[a + p + 2] * B[b + p + 2];
    s3 += A[a + p + 3] * B[b + p + 3];
  }
  for (let p = k4; p < k; p++) s0 += A[a + p] * B[b + p];
  return s0 + s1 + (s2 + s3);
}

/** dA[i,p] += Σ_j G[i,j]·B[j,p] (dA = G·B), four columns p at a time. */
function accumulateGB(G: Float64Array, B: Float64Array, dA: Float64Array, m: number, n: number, k: number): void {
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const gi = i * n, ai = i * k;
    for (let p = 0; p < k4; p += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < n; j++) {
        const gij = G[gi + j], bj = j * k + p;
        s0 += gij * B[bj];
        s1 += gij * B[bj + 1];
        s2 += gij * B[bj + 2];
        s3 += gij * B[bj + 3];
      }
      dA[ai + p] += s0;
      dA[ai + p + 1] += s1;
      dA[ai + p + 2] += s2;
      dA[ai + p + 3] += s3;
    }
    for (let p = k4; p < k; p++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += G[gi + j] * B[j * k + p];
      dA[ai + p] += s;
    }
  }
}

/** dB[j,p] += Σ_i G[i,j]·A[i,p] (dB = Gᵀ·A), four columns p at a time. */
function accumulateGtA(G: Float64Array, A: Float64Array, dB: Float64Array, m: number, n: number, k: number): void {
  const k4 = k - (k % 4);
  for (let j = 0; j < n; j++) {
    const bj = j * k;
    for (let p = 0; p < k4; p += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < m; i++) {
        const gij = G[i * n + j], ai = i * k + p;
        s0 += gij * A[ai];
        s1 += gij * A[ai + 1];
        s2 += gij * A[ai + 2];
        s3 += gij * A[ai + 3];
      }
      dB[bj + p] += s0;
      dB[bj + p + 1] += s1;
      dB[bj + p + 2] += s2;
      dB[bj + p + 3] += s3;
    }
    for (let p = k4; p < k; p++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += G[i * n + j] * A[i * k + p];
      dB[bj + p] += s;
    }
  }
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
