/**
 * A weight matrix [rows, cols] (rows = outputs, cols = inputs: PyTorch's
 * Linear) kept in its stored precision. A loader writes the file's bytes
 * straight into `bytes` (row-major, little-endian) before the matrix is first
 * used: loading a BF16 model takes its file size, not twice that. At first use
 * the rows are packed once, in place, into the kernel's panels (8 rows
 * interleaved, k-major); `row()` reads either layout.
 *
 * Storage is shared by every thread, never copied per call: inside the arena
 * (the kernels read it where it is) while the model fits the WebAssembly
 * memory, else in a SharedArrayBuffer of its own (a block at a time is copied
 * into scratch as the product runs), so a model may exceed 4 GiB.
 */
import { dtypeInfo, halfToFloat, type Dtype } from './dtype.js';

export interface Matrix {
  readonly id: number;
  readonly dtype: Dtype;
  readonly rows: number;
  readonly cols: number;
  readonly rowBytes: number;
  /**
   * Writable until first use: [rows, cols] row-major in `dtype`, little-endian.
   * A view into a larger buffer (the arena): mind its byteOffset.
   */
  readonly bytes: Uint8Array;
  /** Row i widened to float32 (an embedding lookup from the same matrix). */
  row(i: number, out?: Float32Array): Float32Array;
}

/** Rows packed together: the kernel's panel width. */
export const PANEL = 8;

/** Where the column j of a 16-bit panel sits (assembly/matmul.ts slot16). */
const slot16 = (j: number) => (j < 4 ? 2 * j : 2 * (j - 4) + 1);

let nextId = 1;

/** One float32 seen as its bits: bfloat16 is the top half. */
const FLOAT = new Float32Array(1);
const BITS = new Uint32Array(FLOAT.buffer);

/** Largest storage asked for: Node 20's typed arrays stop at 2^32 bytes. */
const MAX_BYTES = 2 ** 32;

export class StoredMatrix implements Matrix {
  readonly id = nextId++;
  readonly rowBytes: number;
  readonly bytes: Uint8Array;
  /** Set once the rows are panels. */
  packed = false;
  private readonly view: DataView;

  /**
   * `storage`: ceil(rows/8)·8 rows of zeros; `at`: its offset in `arena`, the
   * memory it lives in (null: a SharedArrayBuffer of its own).
   */
  constructor(
    readonly dtype: Dtype,
    readonly rows: number,
    readonly cols: number,
    readonly storage: Uint8Array,
    readonly at: number,
    readonly arena: object | null,
  ) {
    this.rowBytes = dtypeInfo(dtype).rowBytes(cols);
    this.bytes = storage.subarray(0, rows * this.rowBytes);
    this.view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  }

  static bytesFor(dtype: Dtype, rows: number, cols: number): number {
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1)
      throw new RangeError(`compute: a matrix needs positive integer sizes, not [${rows}, ${cols}]`);
    const bytes = Math.ceil(rows / PANEL) * PANEL * dtypeInfo(dtype).rowBytes(cols);
    if (bytes > MAX_BYTES)
      throw new RangeError(`compute: a [${rows}, ${cols}] ${dtype} matrix takes over 4 GiB; split it into row blocks`);
    return bytes;
  }

  /** Byte offset of element (i, k) in the current layout. */
  private offset(i: number, k: number, esize: number): number {
    if (!this.packed) return i * this.rowBytes + k * esize;
    const j = i % PANEL;
    const block = (i - j) * this.rowBytes;
    return block + (k * PANEL + (esize === 4 ? j : slot16(j))) * esize;
  }

  row(i: number, out = new Float32Array(this.cols)): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new RangeError(`compute: row ${i} of ${this.rows}`);
    const v = this.view,
      n = this.cols;
    if (this.dtype === 'F32') for (let k = 0; k < n; k++) out[k] = v.getFloat32(this.offset(i, k, 4), true);
    else if (this.dtype === 'BF16')
      for (let k = 0; k < n; k++) {
        BITS[0] = v.getUint16(this.offset(i, k, 2), true) << 16;
        out[k] = FLOAT[0]!;
      }
    else for (let k = 0; k < n; k++) out[k] = halfToFloat(v.getUint16(this.offset(i, k, 2), true));
    return out;
  }
}

/** A matrix in a SharedArrayBuffer of its own. */
export function sharedMatrix(dtype: Dtype, rows: number, cols: number): StoredMatrix {
  const storage = new Uint8Array(new SharedArrayBuffer(StoredMatrix.bytesFor(dtype, rows, cols)));
  return new StoredMatrix(dtype, rows, cols, storage, -1, null);
}

/** Fills an F32 matrix from float32 values (tests, small tensors). */
export function writeFloat32(m: Matrix, values: Float32Array): void {
  if (m.dtype !== 'F32') throw new Error('compute: writeFloat32 fills F32 matrices; write BF16/F16 bits into .bytes');
  if (values.length !== m.rows * m.cols)
    throw new RangeError(`compute: ${values.length} values for a [${m.rows}, ${m.cols}] matrix`);
  new Float32Array(m.bytes.buffer, m.bytes.byteOffset, values.length).set(values);
}
