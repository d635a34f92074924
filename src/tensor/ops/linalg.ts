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
  const A = a.data,
    B = b.data,
    O = out.data;
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
 * It is the hot loop of training, so every sum keeps several independent
 * accumulators instead of one long dependency chain.
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

/**
 * O[i,j] = Σ_p A[i,p]·B[j,p]. Two outputs at a time share the loads of A's row;
 * each sum still runs in exactly the order of `dot`, so results are bit-identical to it.
 */
function dotRows(A: Float64Array, B: Float64Array, O: Float64Array, m: number, n: number, k: number): void {
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const ai = i * k,
      oi = i * n;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = j * k,
        b1 = b0 + k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let p = 0; p < k4; p += 4) {
        const a0 = A[ai + p],
          a1 = A[ai + p + 1],
          a2 = A[ai + p + 2],
          a3 = A[ai + p + 3];
        s0 += a0 * B[b0 + p];
        s1 += a1 * B[b0 + p + 1];
        s2 += a2 * B[b0 + p + 2];
        s3 += a3 * B[b0 + p + 3];
        t0 += a0 * B[b1 + p];
        t1 += a1 * B[b1 + p + 1];
        t2 += a2 * B[b1 + p + 2];
        t3 += a3 * B[b1 + p + 3];
      }
      for (let p = k4; p < k; p++) {
        s0 += A[ai + p] * B[b0 + p];
        t0 += A[ai + p] * B[b1 + p];
      }
      O[oi + j] = s0 + s1 + (s2 + s3);
      O[oi + j + 1] = t0 + t1 + (t2 + t3);
    }
    if (j < n) O[oi + j] = dot(A, ai, B, j * k, k);
  }
}

/**
 * Σ_p A[a + p]·B[b + p] for p < k, in four interleaved partial sums. Every dot
 * product of rows in the engine goes through here, so fused ops sum in exactly
 * the order the composed ops do and agree with them bit for bit.
 */
export function dot(A: Float64Array, a: number, B: Float64Array, b: number, k: number): number {
  const k4 = k - (k % 4);
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let p = 0; p < k4; p += 4) {
    s0 += A[a + p] * B[b + p];
    s1 += A[a + p + 1] * B[b + p + 1];
    s2 += A[a + p + 2] * B[b + p + 2];
    s3 += A[a + p + 3] * B[b + p + 3];
  }
  for (let p = k4; p < k; p++) s0 += A[a + p] * B[b + p];
  return s0 + s1 + (s2 + s3);
}

/** dA[i,p] += Σ_j G[i,j]·B[j,p] (dA = G·B), eight columns p at a time (measured faster than four here). */
function accumulateGB(G: Float64Array, B: Float64Array, dA: Float64Array, m: number, n: number, k: number): void {
  const k8 = k - (k % 8);
  for (let i = 0; i < m; i++) {
    const gi = i * n,
      ai = i * k;
    for (let p = 0; p < k8; p += 8) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0;
      for (let j = 0; j < n; j++) {
        const gij = G[gi + j],
          bj = j * k + p;
        s0 += gij * B[bj];
        s1 += gij * B[bj + 1];
        s2 += gij * B[bj + 2];
        s3 += gij * B[bj + 3];
        s4 += gij * B[bj + 4];
        s5 += gij * B[bj + 5];
        s6 += gij * B[bj + 6];
        s7 += gij * B[bj + 7];
      }
      dA[ai + p] += s0;
      dA[ai + p + 1] += s1;
      dA[ai + p + 2] += s2;
      dA[ai + p + 3] += s3;
      dA[ai + p + 4] += s4;
      dA[ai + p + 5] += s5;
      dA[ai + p + 6] += s6;
      dA[ai + p + 7] += s7;
    }
    for (let p = k8; p < k; p++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += G[gi + j] * B[j * k + p];
      dA[ai + p] += s;
    }
  }
}

/** dB[j,p] += Σ_i G[i,j]·A[i,p] (dB = Gᵀ·A), eight columns p at a time: the sum over i is short (one name). */
function accumulateGtA(G: Float64Array, A: Float64Array, dB: Float64Array, m: number, n: number, k: number): void {
  const k8 = k - (k % 8);
  for (let j = 0; j < n; j++) {
    const bj = j * k;
    for (let p = 0; p < k8; p += 8) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0;
      for (let i = 0; i < m; i++) {
        const gij = G[i * n + j],
          ai = i * k + p;
        s0 += gij * A[ai];
        s1 += gij * A[ai + 1];
        s2 += gij * A[ai + 2];
        s3 += gij * A[ai + 3];
        s4 += gij * A[ai + 4];
        s5 += gij * A[ai + 5];
        s6 += gij * A[ai + 6];
        s7 += gij * A[ai + 7];
      }
      dB[bj + p] += s0;
      dB[bj + p + 1] += s1;
      dB[bj + p + 2] += s2;
      dB[bj + p + 3] += s3;
      dB[bj + p + 4] += s4;
      dB[bj + p + 5] += s5;
      dB[bj + p + 6] += s6;
      dB[bj + p + 7] += s7;
    }
    for (let p = k8; p < k; p++) {
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
