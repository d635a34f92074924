/**
 * A weight matrix [rows, cols] (rows = outputs, cols = inputs: PyTorch's
 * Linear) kept in its stored precision in a SharedArrayBuffer of its own, so
 * every thread reads the same bytes (never copied per call) and a model may
 * exceed the 4 GiB a WebAssembly memory holds. A loader writes the file's
 * bytes straight into `bytes` (row-major, little-endian): loading a BF16 model
 * takes its file size, not twice that.
 */
import { dtypeInfo, halfToFloat, type Dtype } from './dtype.js';

export interface Matrix {
  readonly id: number;
  readonly dtype: Dtype;
  readonly rows: number;
  readonly cols: number;
  readonly rowBytes: number;
  /** The storage, writable: [rows, cols] row-major in `dtype`, little-endian. */
  readonly bytes: Uint8Array;
  /** Row i widened to float32 (an embedding lookup from the same matrix). */
  row(i: number, out?: Float32Array): Float32Array;
}

let nextId = 1;

/** One float32 seen as its bits: bfloat16 is the top half. */
const FLOAT = new Float32Array(1);
const BITS = new Uint32Array(FLOAT.buffer);

/** Largest single SharedArrayBuffer asked for: Node 20's typed arrays stop at 2^32 bytes. */
const MAX_BYTES = 2 ** 32;

export function newMatrix(dtype: Dtype, rows: number, cols: number): Matrix {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1)
    throw new Error(`compute: a matrix needs positive integer sizes, not [${rows}, ${cols}]`);
  const info = dtypeInfo(dtype);
  const rowBytes = info.rowBytes(cols);
  if (rows * rowBytes > MAX_BYTES)
    throw new Error(`compute: a [${rows}, ${cols}] ${dtype} matrix takes over 4 GiB; split it into row blocks`);
  const bytes = new Uint8Array(new SharedArrayBuffer(rows * rowBytes));
  const view = new DataView(bytes.buffer);
  return {
    id: nextId++,
    dtype,
    rows,
    cols,
    rowBytes,
    bytes,
    row(i: number, out = new Float32Array(cols)): Float32Array {
      if (!Number.isInteger(i) || i < 0 || i >= rows) throw new RangeError(`compute: row ${i} of ${rows}`);
      const o = i * rowBytes;
      if (dtype === 'F32') for (let c = 0; c < cols; c++) out[c] = view.getFloat32(o + 4 * c, true);
      else if (dtype === 'BF16')
        for (let c = 0; c < cols; c++) {
          BITS[0] = view.getUint16(o + 2 * c, true) << 16;
          out[c] = FLOAT[0]!;
        }
      else for (let c = 0; c < cols; c++) out[c] = halfToFloat(view.getUint16(o + 2 * c, true));
      return out;
    },
  };
}

/** A matrix holding float32 values given as numbers, stored as `dtype` (F32 exactly; BF16/F16 as the caller's bits). */
export function writeFloat32(m: Matrix, values: Float32Array): void {
  if (m.dtype !== 'F32') throw new Error('compute: writeFloat32 fills F32 matrices; write BF16/F16 bits into .bytes');
  if (values.length !== m.rows * m.cols)
    throw new Error(`compute: ${values.length} values for a [${m.rows}, ${m.cols}] matrix`);
  new Float32Array(m.bytes.buffer, m.bytes.byteOffset, values.length).set(values);
}
