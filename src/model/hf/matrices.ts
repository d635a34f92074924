/**
 * A stored weight tensor's bytes straight from the file into the compute
 * layer's matrices, in the precision it is stored in (BF16 and F16 stay
 * 16-bit, F32 as it is, F64 narrowed to F32), with the family's storage quirk
 * applied as the rows are placed: GPT-2's Conv1D [in, out] transposed, fused
 * projections cut into their parts (in blocks, or per head). No full float32
 * copy of the model is ever made: loading a BF16 model takes its file size.
 */
import { endianness } from 'node:os';
import type { Compute, Dtype, Matrix } from '../../compute/index.js';
import { MicrogptError } from '../../errors.js';
import { readInto, withFile, type OpenFile } from '../../formats/file.js';
import type { TensorEntry } from '../../formats/types.js';

/** The precision a stored dtype runs in: F32, BF16 and F16 as they are; F64 narrowed to F32. */
export const runDtype = (stored: string): Dtype => (stored === 'BF16' || stored === 'F16' ? stored : 'F32');

/** One matrix cut from a stored tensor: its rows, as runs [first row of the canonical matrix, count], in order. */
export interface MatrixPart {
  rows: number;
  runs: ReadonlyArray<readonly [number, number]>;
}

/** Bytes read at a time when a tensor is transposed or narrowed: bounded memory whatever its size. */
const CHUNK_BYTES = 4 << 20;

const BYTES: Readonly<Record<string, number>> = { F64: 8, F32: 4, BF16: 2, F16: 2 };

/**
 * Tensor `t` ([R, K] as stored) read into one matrix per part. The canonical
 * matrix is the stored one, or with `transposed` its transpose ([K, R]:
 * GPT-2's Conv1D stores [in, out]); each part takes its rows from it by runs.
 */
export function readMatrices(c: Compute, t: TensorEntry, transposed: boolean, parts: readonly MatrixPart[]): Matrix[] {
  if (endianness() !== 'LE') throw new Error('the float32 path reads little-endian weights on little-endian machines');
  const [R, K] = [t.shape[0]!, t.shape[1]!];
  const cols = transposed ? R : K;
  const dtype = runDtype(t.dtype);
  // Every byte of each matrix is written below: only its padding rows need clearing.
  const out = parts.map((p) => c.allocMatrix(dtype, p.rows, cols, true));
  try {
    withFile(t.file, (f) => {
      // Input-major storage goes straight into the kernel's layout where each part is one run of columns.
      if (transposed && t.dtype !== 'F64' && parts.every((p) => p.runs.length === 1)) {
        const read = (k0: number, n: number, into: Uint8Array) =>
          readAll(c, f, t, t.offset + k0 * K * BYTES[t.dtype]!, into);
        c.fillTransposed(
          out.map((matrix, i) => ({ matrix, first: parts[i]!.runs[0]![0] })),
          K,
          read,
        );
      } else if (transposed) fillTransposed(f, t, parts, out);
      else fillRows(c, f, t, parts, out);
    });
  } catch (e) {
    out.forEach((m) => c.releaseMatrix(m));
    throw e;
  }
  return out;
}

function short(t: TensorEntry): never {
  throw new MicrogptError(
    'MG083',
    `tensor "${t.name}": the file ends before its data does (${t.bytes} bytes from offset ${t.offset}); the download is probably incomplete`,
  );
}

/** Reads `into` from `position`, all of it (every thread of `c` reading a part, where `into` is in its memory). */
function readAll(c: Compute | null, f: OpenFile, t: TensorEntry, position: number, into: Uint8Array): void {
  if (position + into.length > f.size) short(t);
  if (!c) {
    if (readInto(f, position, into) !== into.length) short(t);
    return;
  }
  try {
    c.readFile(f.fd, position, into);
  } catch {
    short(t);
  }
}

/** Rows as stored: each run of rows is one read, straight into the matrix (F64 a chunk at a time, narrowed). */
function fillRows(c: Compute, f: OpenFile, t: TensorEntry, parts: readonly MatrixPart[], out: Matrix[]): void {
  const K = t.shape[1]!,
    size = BYTES[t.dtype]!,
    srcRow = K * size;
  parts.forEach((p, i) => {
    const m = out[i]!;
    let r = 0;
    for (const [first, n] of p.runs) {
      if (t.dtype !== 'F64')
        readAll(c, f, t, t.offset + first * srcRow, m.bytes.subarray(r * m.rowBytes, (r + n) * m.rowBytes));
      else {
        const dst = new Float32Array(m.bytes.buffer, m.bytes.byteOffset, m.rows * K);
        const step = Math.max(1, Math.floor(CHUNK_BYTES / srcRow));
        for (let at = 0; at < n; at += step) {
          const k = Math.min(step, n - at);
          const chunk = new Float64Array(k * K);
          readAll(null, f, t, t.offset + (first + at) * srcRow, new Uint8Array(chunk.buffer));
          dst.set(chunk, (r + at) * K);
        }
      }
      r += n;
    }
  });
}

/** Elements of 2 or 4 bytes copied as bits (a NaN's payload kept), or float32 values (F64 narrowed into them). */
const bitsOf = (b: Uint8Array, size: number) =>
  size === 2
    ? new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2)
    : new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);

/** Columns moved together: reads of 16 neighbours, writes along 16 rows. */
const BLOCK = 16;

/**
 * The canonical matrix is the stored one transposed: its row j is stored
 * column j. Stored rows are read a chunk at a time and scattered into every
 * part's rows (matrix row r, column k ← stored row k, column j), a block of
 * neighbouring columns at a time so both sides stay in cache.
 */
function fillTransposed(f: OpenFile, t: TensorEntry, parts: readonly MatrixPart[], out: Matrix[]): void {
  const [R, K] = [t.shape[0]!, t.shape[1]!];
  const size = BYTES[t.dtype]!,
    srcRow = K * size;
  const step = Math.max(1, Math.floor(CHUNK_BYTES / srcRow));
  const narrow = t.dtype === 'F64';
  const dst = out.map((m) =>
    narrow ? new Float32Array(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength / 4) : bitsOf(m.bytes, size),
  );
  for (let k0 = 0; k0 < R; k0 += step) {
    const rows = Math.min(step, R - k0);
    const bytes = new Uint8Array(rows * srcRow);
    readAll(null, f, t, t.offset + k0 * srcRow, bytes);
    const src = narrow ? new Float64Array(bytes.buffer) : bitsOf(bytes, size);
    parts.forEach((p, i) => {
      const d = dst[i]!;
      let r0 = 0;
      for (const [first, n] of p.runs) {
        for (let jb = 0; jb < n; jb += BLOCK) {
          const w = Math.min(BLOCK, n - jb);
          for (let k = 0; k < rows; k++) {
            const from = k * K + first + jb,
              to = (r0 + jb) * R + k0 + k;
            for (let jj = 0; jj < w; jj++) d[to + jj * R] = src[from + jj]!;
          }
        }
        r0 += n;
      }
    });
  }
}
