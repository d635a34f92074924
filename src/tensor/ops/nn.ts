import { MicrogptError } from '../../errors.js';
import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { expect2d } from './check.js';

/**
 * The value added above the diagonal by the causal mask. Finite on purpose:
 * softmax requires finite input, and exp(-1e9 - max) underflows to exactly 0,
 * so the masked weights are exactly zero without ever producing -∞ or NaN.
 */
export const MASK_VALUE = -1e9;

/** Softmax over each row of a 2-D tensor. Refuses non-finite input rather than propagate NaN. */
export function softmaxRows(g: Graph, a: Tensor): Tensor {
  expect2d('softmaxRows', a);
  const [m, n] = a.shape;
  const out = g.output(a.shape, a);
  const X = a.data,
    Y = out.data;
  for (let i = 0; i < m; i++) {
    const r = i * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const x = X[r + j];
      if (!Number.isFinite(x)) {
        throw new MicrogptError(
          'MG101',
          `softmax: input row ${i}, column ${j} is ${x}; softmax requires every input to be finite (mask with a large finite negative such as -1e9, not -Infinity)`,
          1,
        );
      }
      if (x > max) max = x;
    }
    let total = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(X[r + j] - max);
      Y[r + j] = e;
      total += e;
    }
    for (let j = 0; j < n; j++) Y[r + j] /= total;
  }
  g.record(out, () => {
    const G = out.grad!;
    if (!a.grad) return;
    // dx = y ⊙ (dy − Σ dy·y) per row
    for (let i = 0; i < m; i++) {
      const r = i * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += G[r + j] * Y[r + j];
      for (let j = 0; j < n; j++) a.grad[r + j] += Y[r + j] * (G[r + j] - dot);
    }
  });
  return out;
}

/** RMSNorm without a learned weight, per row: x / √(mean(x²) + eps). */
export function rmsnormRows(g: Graph, a: Tensor, eps: number): Tensor {
  expect2d('rmsnormRows', a);
  const [m, n] = a.shape;
  const out = g.output(a.shape, a);
  const X = a.data;
  const inv = g.buffer(m); // 1/rms per row, kept for the backward step
  for (let i = 0; i < m; i++) {
    const r = i * n;
    let ss = 0;
    for (let j = 0; j < n; j++) ss += X[r + j] * X[r + j];
    const s = 1 / Math.sqrt(ss / n + eps);
    inv[i] = s;
    for (let j = 0; j < n; j++) out.data[r + j] = X[r + j] * s;
  }
  g.record(out, () => {
    const G = out.grad!;
    if (!a.grad) return;
    // dx_j = s·dy_j − (s³/n)·x_j·Σ dy·x
    for (let i = 0; i < m; i++) {
      const r = i * n,
        s = inv[i];
      let dot = 0;
      for (let j = 0; j < n; j++) dot += G[r + j] * X[r + j];
      const c = (s * s * s * dot) / n;
      for (let j = 0; j < n; j++) a.grad[r + j] += s * G[r + j] - c * X[r + j];
    }
  });
  return out;
}

/** Rows `ids` of `table` [V, C] → [ids.length, C]: the embedding lookup. */
export function gather(g: Graph, table: Tensor, ids: ArrayLike<number>): Tensor {
  expect2d('gather', table);
  const [v, c] = table.shape;
  const t = ids.length;
  for (let i = 0; i < t; i++) {
    if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= v)
      throw new Error(`gather: id ${ids[i]} outside [0, ${v})`);
  }
  const out = g.output([t, c], table);
  for (let i = 0; i < t; i++) out.data.set(table.data.subarray(ids[i] * c, ids[i] * c + c), i * c);
  g.record(out, () => {
    const G = out.grad!;
    if (table.grad) for (let i = 0; i < t; i++) for (let j = 0; j < c; j++) table.grad[ids[i] * c + j] += G[i * c + j];
  });
  return out;
}

/** Adds the causal mask to square scores: 0 on and below the diagonal, MASK_VALUE above. */
export function addCausalMask(g: Graph, a: Tensor, maskValue = MASK_VALUE): Tensor {
  expect2d('addCausalMask', a);
  const [m, n] = a.shape;
  if (m !== n) throw new Error(`addCausalMask: scores must be square, got [${m}, ${n}]`);
  const out = g.output(a.shape, a);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) out.data[i * n + j] = a.data[i * n + j] + (j > i ? maskValue : 0);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i];
  });
  return out;
}

/**
 * Mean cross-entropy of logits [T, V] against target ids: (1/T) Σ_t −log softmax(l_t)[y_t].
 * Fused with its softmax, because the pair has the simple gradient (p − onehot)/T.
 */
export function crossEntropy(g: Graph, logits: Tensor, targets: ArrayLike<number>): Tensor {
  expect2d('crossEntropy', logits);
  const [t, v] = logits.shape;
  if (targets.length !== t) throw new Error(`crossEntropy: ${targets.length} targets for ${t} rows`);
  const out = g.output([1], logits);
  const L = logits.data;
  const probs = g.buffer(t * v);
  let loss = 0;
  for (let i = 0; i < t; i++) {
    const r = i * v,
      y = targets[i];
    if (!Number.isInteger(y) || y < 0 || y >= v) throw new Error(`crossEntropy: target ${y} outside [0, ${v})`);
    let max = -Infinity;
    for (let j = 0; j < v; j++) if (L[r + j] > max) max = L[r + j];
    let total = 0;
    for (let j = 0; j < v; j++) {
      const e = Math.exp(L[r + j] - max);
      probs[r + j] = e;
      total += e;
    }
    for (let j = 0; j < v; j++) probs[r + j] /= total;
    loss += Math.log(total) + max - L[r + y];
  }
  out.data[0] = loss / t;
  g.record(out, () => {
    if (!logits.grad) return;
    const d = out.grad![0] / t;
    for (let i = 0; i < t; i++) {
      const r = i * v;
      for (let j = 0; j < v; j++) logits.grad[r + j] += d * (probs[r + j] - (j === targets[i] ? 1 : 0));
    }
  });
  return out;
}
