import type { Graph } from '../graph.js';
import { Tensor, sizeOf } from '../tensor.js';
import { expect2d } from './check.js';

/** The same elements under a new shape. Shares no buffer with its input, so gradients stay separate. */
export function reshape(g: Graph, a: Tensor, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== a.size) throw new Error(`reshape: [${a.shape.join(', ')}] cannot become [${shape.join(', ')}]`);
  const out = g.output(shape, a);
  out.data.set(a.data);
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad) for (let i = 0; i < a.size; i++) a.grad[i] += G[i];
  });
  return out;
}

/** Columns [start, start + width) of a 2-D tensor: one attention head's slice of Q, K or V. */
export function sliceCols(g: Graph, a: Tensor, start: number, width: number): Tensor {
  expect2d('sliceCols', a);
  const [m, n] = a.shape;
  if (start < 0 || width < 1 || start + width > n)
    throw new Error(`sliceCols: columns ${start}..${start + width} outside [0, ${n})`);
  const out = g.output([m, width], a);
  for (let i = 0; i < m; i++) for (let j = 0; j < width; j++) out.data[i * width + j] = a.data[i * n + start + j];
  g.record(out, () => {
    const G = out.grad!;
    if (a.grad)
      for (let i = 0; i < m; i++) for (let j = 0; j < width; j++) a.grad[i * n + start + j] += G[i * width + j];
  });
  return out;
}

/** Side-by-side concatenation of 2-D tensors with the same number of rows (the heads' outputs). */
export function concatCols(g: Graph, parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new Error('concatCols: nothing to concatenate');
  for (const p of parts) expect2d('concatCols', p);
  const m = parts[0].rows;
  if (parts.some((p) => p.rows !== m)) throw new Error('concatCols: parts have different numbers of rows');
  const n = parts.reduce((s, p) => s + p.cols, 0);
  const out = g.output([m, n], parts[0], ...parts.slice(1));
  let offset = 0;
  for (const p of parts) {
    const w = p.cols;
    for (let i = 0; i < m; i++) for (let j = 0; j < w; j++) out.data[i * n + offset + j] = p.data[i * w + j];
    offset += w;
  }
  g.record(out, () => {
    const G = out.grad!;
    let off = 0;
    for (const p of parts) {
      const w = p.cols;
      if (p.grad) for (let i = 0; i < m; i++) for (let j = 0; j < w; j++) p.grad[i * w + j] += G[i * n + off + j];
      off += w;
    }
  });
  return out;
}
