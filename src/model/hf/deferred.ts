/**
 * The token embedding and the head, read from the file when a product first
 * needs them rather than at load: GPT-2's tied head is 150 MB of its 500 MB
 * file, a forward looks up one row per token, and a run that wants no logits
 * (attention patterns) never multiplies by it. Until then a row is read alone,
 * straight from its place in the file, and decoded by the same code as the
 * whole matrix's rows, so either way gives the same bits.
 */
import type { Compute, Dtype, Matrix } from '../../compute/index.js';
import type { TensorEntry } from '../../formats/types.js';
import { readMatrices, runDtype } from './matrices.js';

export class DeferredMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: Dtype;
  private loaded: Matrix | null;
  private readonly entry: TensorEntry | null;
  private released = false;

  /** `from`: the stored tensor [rows, cols] (no transpose, no split), read later; or a matrix already read. */
  constructor(
    private readonly c: Compute,
    from: TensorEntry | Matrix,
  ) {
    const read = 'row' in from;
    this.loaded = read ? from : null;
    this.entry = read ? null : from;
    [this.rows, this.cols] = read ? [from.rows, from.cols] : [from.shape[0]!, from.shape[1]!];
    this.dtype = read ? from.dtype : runDtype(from.dtype);
  }

  /** Whether the whole matrix has been read. */
  get read(): boolean {
    return this.loaded !== null;
  }

  /** The whole matrix, read from the file the first time (and packed at its first product, as every matrix is). */
  matrix(): Matrix {
    if (this.released) throw new Error('DeferredMatrix: used after release()');
    return (this.loaded ??= readMatrices(this.c, this.entry!, false, [
      { rows: this.rows, runs: [[0, this.rows]] },
    ])[0]!);
  }

  /** Row i widened to float32: from the matrix once it is read, else read alone from the file. */
  row(i: number, out = new Float32Array(this.cols)): Float32Array {
    if (this.loaded) return this.loaded.row(i, out);
    if (this.released) throw new Error('DeferredMatrix: used after release()');
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new RangeError(`compute: row ${i} of ${this.rows}`);
    const e = this.entry!,
      rowBytes = e.bytes / this.rows;
    const one: TensorEntry = {
      ...e,
      shape: [1, this.cols],
      elements: this.cols,
      bytes: rowBytes,
      offset: e.offset + i * rowBytes,
    };
    const [m] = readMatrices(this.c, one, false, [{ rows: 1, runs: [[0, 1]] }]);
    try {
      return m!.row(0, out);
    } finally {
      this.c.releaseMatrix(m!);
    }
  }

  /** Every row widened to float32 (reads the whole matrix). */
  values(): Float32Array {
    return this.matrix().values();
  }

  /** Gives the matrix back to the compute layer, if it was read. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.loaded) this.c.releaseMatrix(this.loaded);
  }
}
