import { endianness } from 'node:os';
import { readAt, readInto, withFile } from './file.js';
import type { TensorEntry } from './types.js';

/** dtypes whose values can be decoded here: safetensors' and ggml's plain floats. */
const DECODERS: ReadonlyMap<string, { bytes: number; decode: (buf: Buffer, out: Float64Array, n: number) => void }> =
  new Map([
    [
      'F64',
      {
        bytes: 8,
        decode: (b, o, n) => {
          for (let i = 0; i < n; i++) o[i] = b.readDoubleLE(8 * i);
        },
      },
    ],
    [
      'F32',
      {
        bytes: 4,
        decode: (b, o, n) => {
          for (let i = 0; i < n; i++) o[i] = b.readFloatLE(4 * i);
        },
      },
    ],
    [
      'F16',
      {
        bytes: 2,
        decode: (b, o, n) => {
          const t = halfTable();
          for (let i = 0; i < n; i++) o[i] = t[b.readUInt16LE(2 * i)];
        },
      },
    ],
    [
      'BF16',
      {
        bytes: 2,
        decode: (b, o, n) => {
          for (let i = 0; i < n; i++) o[i] = bf16(b.readUInt16LE(2 * i));
        },
      },
    ],
  ]);

export const canDecode = (dtype: string): boolean => DECODERS.has(dtype);

let HALF: Float64Array | null = null;
/** All 65,536 IEEE half-precision values, built once (exact: every half is a double). */
function halfTable(): Float64Array {
  if (HALF) return HALF;
  HALF = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    HALF[h] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  return HALF;
}

const BF = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
function bf16(u: number): number {
  BF.setUint32(0, u << 16);
  return BF.getFloat32(0);
}

/** Elements read per chunk: bounded memory whatever the tensor's size. */
const CHUNK_ELEMENTS = 1 << 20;

/**
 * Streams a tensor's values in chunks of at most a million elements, calling
 * `each` with a view of the decoded chunk. Memory stays bounded by the chunk.
 */
export function streamValues(
  t: TensorEntry,
  each: (values: Float64Array, count: number) => void,
  onBytes?: (n: number) => void,
): void {
  const d = DECODERS.get(t.dtype);
  if (!d) throw new Error(`cannot decode ${t.dtype}`);
  const out = new Float64Array(Math.min(CHUNK_ELEMENTS, Math.max(1, t.elements)));
  withFile(t.file, (f) => {
    for (let done = 0; done < t.elements;) {
      const n = Math.min(CHUNK_ELEMENTS, t.elements - done);
      const buf = readAt(f, t.offset + done * d.bytes, n * d.bytes);
      const got = Math.floor(buf.length / d.bytes);
      d.decode(buf, out, got);
      each(out, got);
      onBytes?.(got * d.bytes);
      if (got < n) break;
      done += n;
    }
  });
}

export interface ValueCounts {
  nan: number;
  inf: number;
  /** −inf above the diagonal of a causal score tensor: the mask, not a defect (counted apart from inf). */
  masked: number;
  nonZero: number;
  count: number;
}

/**
 * NaN, infinite and non-zero counts of one tensor, streamed. With `causal`, the
 * tensor's last two dimensions are [query, key] scores under a causal mask
 * (as TransformerLens stores hook_attn_scores): a −inf where key > query is
 * counted as masked; anywhere else it is infinite like any other.
 */
export function scanTensor(t: TensorEntry, onBytes?: (n: number) => void, causal = false): ValueCounts {
  const c: ValueCounts = { nan: 0, inf: 0, masked: 0, nonZero: 0, count: 0 };
  const keys = causal && t.shape.length >= 2 ? t.shape[t.shape.length - 1]! : 0;
  const queries = causal && t.shape.length >= 2 ? t.shape[t.shape.length - 2]! : 0;
  streamValues(
    t,
    (v, n) => {
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x !== x) c.nan++;
        else if (x === -Infinity && keys > 0 && aboveDiagonal(c.count + i, queries, keys)) c.masked++;
        else if (x === Infinity || x === -Infinity) c.inf++;
        if (x !== 0) c.nonZero++;
      }
      c.count += n;
    },
    onBytes,
  );
  return c;
}

/** Whether row-major element `at` of a [..., queries, keys] tensor has key > query. */
function aboveDiagonal(at: number, queries: number, keys: number): boolean {
  const k = at % keys;
  const q = Math.floor(at / keys) % queries;
  return k > q;
}

/**
 * Streams two tensors of the same element count side by side, chunk by chunk
 * (for comparing checkpoints), calling `each` with aligned decoded chunks.
 */
export function streamPair(
  a: TensorEntry,
  b: TensorEntry,
  each: (va: Float64Array, vb: Float64Array, count: number) => void,
): void {
  const da = DECODERS.get(a.dtype),
    db = DECODERS.get(b.dtype);
  if (!da || !db) throw new Error(`cannot decode ${da ? b.dtype : a.dtype}`);
  const n0 = Math.min(CHUNK_ELEMENTS, Math.max(1, a.elements));
  const oa = new Float64Array(n0),
    ob = new Float64Array(n0);
  withFile(a.file, (fa) =>
    withFile(b.file, (fb) => {
      for (let done = 0; done < a.elements; done += CHUNK_ELEMENTS) {
        const n = Math.min(CHUNK_ELEMENTS, a.elements - done);
        const ba = readAt(fa, a.offset + done * da.bytes, n * da.bytes);
        const bb = readAt(fb, b.offset + done * db.bytes, n * db.bytes);
        const got = Math.min(Math.floor(ba.length / da.bytes), Math.floor(bb.length / db.bytes));
        da.decode(ba, oa, got);
        db.decode(bb, ob, got);
        each(oa, ob, got);
        if (got < n) break;
      }
    }),
  );
}

/**
 * A tensor's values as one Float32Array, read chunk by chunk straight into it:
 * F32 bytes are the values themselves (on a little-endian machine), BF16 is
 * the top half of an F32, F16 goes through the half table; anything else
 * decodes through streamValues. Returns the values read (fewer only when the file ends early).
 */
export function readFloat32(t: TensorEntry): { values: Float32Array; read: number } {
  const out = new Float32Array(t.elements);
  const little = endianness() === 'LE';
  if (little && t.dtype === 'F32') {
    const bytes = withFile(t.file, (f) => readInto(f, t.offset, new Uint8Array(out.buffer)));
    return { values: out, read: Math.floor(bytes / 4) };
  }
  if (little && (t.dtype === 'BF16' || t.dtype === 'F16')) {
    const bits = new Uint32Array(out.buffer);
    const half = t.dtype === 'F16' ? halfTable() : null;
    const chunk = new Uint16Array(Math.min(CHUNK_ELEMENTS, Math.max(1, t.elements)));
    let read = 0;
    withFile(t.file, (f) => {
      while (read < t.elements) {
        const n = Math.min(chunk.length, t.elements - read);
        const got = Math.floor(readInto(f, t.offset + read * 2, new Uint8Array(chunk.buffer, 0, n * 2)) / 2);
        if (half) for (let i = 0; i < got; i++) out[read + i] = half[chunk[i]!]!;
        else for (let i = 0; i < got; i++) bits[read + i] = chunk[i]! << 16;
        read += got;
        if (got < n) break;
      }
    });
    return { values: out, read };
  }
  let read = 0;
  streamValues(t, (values, count) => {
    out.set(values.subarray(0, count), read);
    read += count;
  });
  return { values: out, read };
}
