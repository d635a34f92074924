import type { Tensor } from '../tensor.js';

/** Shape preconditions of ops. A violation is a programming error, so it throws a plain Error. */
export function expect2d(op: string, t: Tensor): void {
  if (t.shape.length !== 2) throw new Error(`${op}: expected a 2-D tensor, got shape [${t.shape.join(', ')}]`);
}

export function expectSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: shapes differ: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
}
