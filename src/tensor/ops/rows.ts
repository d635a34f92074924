import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { expect2d } from './check.js';

/** x[T,C] ⊙ v[C] per row: a learned norm weight γ. */
export function mulRow(g: Graph, x: Tensor, v: Tensor): Tensor {
  expect2d('mulRow', x);
  const [m, n] = x.shape;
  if (v.size !== n) throw new Error(`mulRow: vector of ${v.size} for rows of ${n}`);
  const out = g.output(x.shape, x, v);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[i * n + j] = x.data[i * n + j] * v.data[j];
  g.record(out, () => {
    const G = out.grad!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (x.grad) x.grad[i * n + j] += G[i * n + j] * v.data[j];
        if (v.grad) v.grad[j] += G[i * n + j] * x.data[i * n + j];
      }
    }
  });
  return out;
}

/** x[T,C] + b[C] per row: a bias. */
export function addRow(g: Graph, x: Tensor, b: Tensor): Tensor {
  expect2d('addRow', x);
  const [m, n] = x.shape;
  if (b.size !== n) throw new Error(`addRow: vector of ${b.size} for rows of ${n}`);
  const out = g.output(x.shape, x, b);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[i * n + j] = x.data[i * n + j] + b.data[j];
  g.record(out, () => {
    const G = out.grad!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (x.grad) x.grad[i * n + j] += G[i * n + j];
        if (b.grad) b.grad[j] += G[i * n + j];
      }
    }
  });
  return out;
}

/** LayerNorm without its affine part, per row: (x − mean) / √(var + eps). */
export function layernormRows(g: Graph, a: Tensor, eps: number): Tensor {
  expect2d('layernormRows', a);
  const [m, n] = a.shape;
  const out = g.output(a.shape, a);
  const inv = g.buffer(m);
  for (let i = 0; i < m; i++) {
    const r = i * n;
    let mean = 0;
    for (let j = 0; j < n; j++) mean += a.data[r + j];
    mean /= n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (a.data[r + j] - mean) ** 2;
    const s = 1 / Math.sqrt(v / n + eps);
    inv[i] = s;
    for (let j = 0; j < n; j++) out.data[r + j] = (a.data[r + j] - mean) * s;
  }
  g.record(out, () => {
    const G = out.grad!;
    if (!a.grad) return;
    // dx = s·(dy − mean(dy) − y·mean(dy·y)) per row, y the normalised output
    for (let i = 0; i < m; i++) {
      const r = i * n,
        s = inv[i];
      let mg = 0,
        mgy = 0;
      for (let j = 0; j < n; j++) {
        mg += G[r + j];
        mgy += G[r + j] * out.data[r + j];
      }
      mg /= n;
      mgy /= n;
      for (let j = 0; j < n; j++) a.grad[r + j] += s * (G[r + j] - mg - out.data[r + j] * mgy);
    }
  });
  return out;
}

/**
 * Rotary position embedding on x[T, heads·d]: within each head, dimension i
 * pairs with i + r/2 (the "rotate half" layout of LLaMA's Hugging Face code)
 * and the pair at position t turns by t·θ^(−2i/r), where r = `dims` (all d
 * by default; GPT-NeoX rotates only the first quarter, the rest passes
 * unchanged). The backward step is the inverse rotation, since rotations are
 * orthogonal.
 */
export function rope(g: Graph, x: Tensor, heads: number, theta: number, dims?: number): Tensor {
  expect2d('rope', x);
  const [T, C] = x.shape;
  const d = C / heads,
    r = dims ?? d,
    half = r / 2;
  if (!Number.isInteger(half) || r < 2 || r > d)
    throw new Error(`rope: ${r} rotated dims of a head of ${d}; they must be even and at most the head dim`);
  const out = g.output(x.shape, x);
  const cos = g.buffer(T * half),
    sin = g.buffer(T * half);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * theta ** ((-2 * i) / r);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  const turn = (src: Float64Array, dst: Float64Array, sign: number, accumulate: boolean) => {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < heads; h++) {
        const base = t * C + h * d;
        for (let i = 0; i < half; i++) {
          const c = cos[t * half + i],
            s = sign * sin[t * half + i];
          const a = src[base + i],
            b = src[base + i + half];
          const ra = a * c - b * s,
            rb = a * s + b * c;
          if (accumulate) {
            dst[base + i] += ra;
            dst[base + i + half] += rb;
          } else {
            dst[base + i] = ra;
            dst[base + i + half] = rb;
          }
        }
        // The dimensions past r carry no position: they pass through (and so does their gradient).
        for (let i = r; i < d; i++) dst[base + i] = (accumulate ? dst[base + i] : 0) + src[base + i];
      }
    }
  };
  turn(x.data, out.data, 1, false);
  g.record(out, () => {
    if (x.grad) turn(out.grad!, x.grad, -1, true);
  });
  return out;
}
