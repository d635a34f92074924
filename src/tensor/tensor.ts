/** A dense row-major tensor over a Float64Array. `grad` is null when no gradient flows to it. */
export class Tensor {
  readonly size: number;

  constructor(
    readonly shape: readonly number[],
    readonly data: Float64Array,
    public grad: Float64Array | null = null,
  ) {
    this.size = data.length;
    if (sizeOf(shape) !== data.length) {
      throw new Error(`Tensor: shape [${shape.join(', ')}] does not match ${data.length} elements`);
    }
  }

  /** A leaf that learns: owns its data and a gradient buffer that lives as long as it does. */
  static param(shape: readonly number[], data?: Float64Array): Tensor {
    const n = sizeOf(shape);
    return new Tensor(shape, data ?? new Float64Array(n), new Float64Array(n));
  }

  /** A constant leaf: no gradient is ever accumulated into it. */
  static constant(shape: readonly number[], values: ArrayLike<number>): Tensor {
    return new Tensor(shape, Float64Array.from(values));
  }

  get rows(): number {
    return this.shape[0];
  }

  get cols(): number {
    return this.shape[this.shape.length - 1];
  }

  /** Element (i, j) of a 2-D tensor. */
  at(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** The rows of a 2-D tensor as plain arrays (a copy, safe to keep after the graph is reset). */
  toRows(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
