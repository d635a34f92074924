import { Tensor, sizeOf } from './tensor.js';

/**
 * A graph records the backward step of every op on a tape, in the order the
 * ops ran; walking the tape in reverse is a valid topological order, so no sort
 * is needed. Buffers for intermediate tensors come from a pool that `reset()`
 * rewinds: a training step whose graph has the same shape as an earlier one
 * (names of the same length) allocates no new arrays at all.
 */
export class Graph {
  private readonly tape: Array<() => void> = [];
  private readonly pool = new Map<number, { buffers: Float64Array[]; used: number }>();

  /** With `recording` false the graph is inference-only: no gradients, no tape. */
  constructor(readonly recording = true) {}

  /** A pooled buffer of `size` elements. Contents are undefined unless `zeroed`. */
  buffer(size: number, zeroed = false): Float64Array {
    let slot = this.pool.get(size);
    if (!slot) {
      slot = { buffers: [], used: 0 };
      this.pool.set(size, slot);
    }
    if (slot.used === slot.buffers.length) slot.buffers.push(new Float64Array(size));
    const buf = slot.buffers[slot.used++];
    if (zeroed) buf.fill(0);
    return buf;
  }

  /**
   * The output tensor of an op. It gets a (zeroed) gradient buffer when the graph
   * records and any input carries a gradient. Ops must write every element of `data`.
   */
  output(shape: readonly number[], a: Tensor, b?: Tensor, c?: Tensor, ...more: Tensor[]): Tensor {
    const n = sizeOf(shape);
    // Fixed arguments for the common one-to-three-input ops: no array is built per op on the hot path.
    const needsGrad =
      this.recording &&
      (a.grad !== null ||
        (b !== undefined && b.grad !== null) ||
        (c !== undefined && c.grad !== null) ||
        more.some((t) => t.grad !== null));
    return new Tensor(shape, this.buffer(n), needsGrad ? this.buffer(n, true) : null);
  }

  /** Registers an op's backward step; it runs only if `out` carries a gradient. */
  record(out: Tensor, backward: () => void): void {
    if (out.grad !== null) this.tape.push(backward);
  }

  /** Reverse mode: seeds d(loss)/d(loss) = 1 and runs the tape backwards. */
  backward(loss: Tensor): void {
    if (loss.size !== 1) throw new Error(`backward: the loss must be a scalar, got [${loss.shape.join(', ')}]`);
    if (loss.grad === null) throw new Error('backward: the loss does not depend on any parameter');
    loss.grad[0] = 1;
    for (let i = this.tape.length - 1; i >= 0; i--) this.tape[i]();
  }

  /** Forget the tape and hand every pooled buffer back, ready for the next step. */
  reset(): void {
    this.tape.length = 0;
    for (const slot of this.pool.values()) slot.used = 0;
  }

  /** Number of arrays the pool owns (for tests that check buffers are reused). */
  get pooledBuffers(): number {
    let n = 0;
    for (const slot of this.pool.values()) n += slot.buffers.length;
    return n;
  }
}
