/**
 * The work of one job, split into units that any thread may claim: a block of
 * output columns of a matrix product, or one head of attention. Each unit's
 * result depends on nothing but its inputs, so which thread ran it, and how
 * many threads there were, never changes a bit.
 *
 * `runUnits` is written self-contained (no imports, no outer variables) because
 * each worker runs its source text too (see pool.ts).
 */
import type { Kernels } from './wasm.js';

/** Slots of the control block (an Int32Array over a SharedArrayBuffer). */
export const SLOTS = {
  /** Job number (1 … MAX_JOB, then round again), changed for each job; workers wait on it. */
  gen: 0,
  /** job number · 2^16 + the next unclaimed unit; CLOSED while the caller writes a job's fields. */
  claim: 1,
  /** Units finished; the caller waits on it. */
  done: 2,
  total: 3,
  kind: 4,
  /** Set by a thread whose unit threw. */
  failed: 5,
  /** Set by close(): workers leave. */
  stop: 6,
  /** Threads inside runUnits; the caller writes a job's fields only when none is. */
  active: 7,
  /** Parameters of the job, by kind (see LINEAR and ATTENTION). */
  params: 8,
} as const;
export type Slots = typeof SLOTS;
export const CONTROL_INTS = 32;
/** Job numbers run 1 … MAX_JOB; the claim's tag 0x7fff belongs to no job. */
export const MAX_JOB = 0x7ffe;
export const CLOSED = 0x7fffffff;

export const JOB_LINEAR = 1;
export const JOB_ATTENTION = 2;
/** A file range into the arena, a chunk a unit: loading a model on every thread. */
export const JOB_READ = 3;
/** A matrix's rows packed into panels in place, a block of 8 rows a unit. */
export const JOB_PACK = 4;
/** Panels of a matrix from input-major rows in the arena (packColumns), a panel a unit. */
export const JOB_PACK_COLUMNS = 5;

/** Reads a file range (position as two 32-bit halves) into the arena at `dst`, `chunk` bytes a unit. */
export interface ReadJob {
  fd: number;
  posLo: number;
  posHi: number;
  length: number;
  dst: number;
  chunk: number;
}
export const readParams = (j: ReadJob) => [j.fd, j.posLo, j.posHi, j.length, j.dst, j.chunk];

/** Packs the blocks of a resident matrix at `at` in place, each thread with `stride` bytes of scratch. */
export interface PackJob {
  at: number;
  dtype: number;
  K: number;
  block: number;
  scratch: number;
  stride: number;
}
export const packParams = (j: PackJob) => [j.at, j.dtype, j.K, j.block, j.scratch, j.stride];

/** Stored rows k0 … k0 + n − 1 at src (`stride` values each, from the part's first column) into a resident matrix's panels. */
export interface PackColumnsJob {
  src: number;
  n: number;
  stride: number;
  dtype: number;
  K: number;
  k0: number;
  at: number;
  rows: number;
  esize: number;
}
export const packColumnsParams = (j: PackColumnsJob) => [
  j.src,
  j.n,
  j.stride,
  j.dtype,
  j.K,
  j.k0,
  j.at,
  j.rows,
  j.esize,
];

/** A matrix-product job: byte offsets in the arena, sizes, and the matrix. */
export interface LinearJob {
  x: number;
  a: number;
  T: number;
  K: number;
  matrix: number;
  out: number;
  y: number;
  bias: number;
  cb: number;
  scratch: number;
  stride: number;
  dtype: number;
  rowBytes: number;
  /** The matrix's offset in the arena; 0: not resident (copied from its own buffer). */
  at: number;
  ldy: number;
}

/** In the order runUnits reads them. */
export const linearParams = (j: LinearJob) => [
  j.x,
  j.a,
  j.T,
  j.K,
  j.matrix,
  j.out,
  j.y,
  j.bias,
  j.cb,
  j.scratch,
  j.stride,
  j.dtype,
  j.rowBytes,
  j.at,
  j.ldy,
];

export interface AttentionJob {
  q: number;
  k: number;
  v: number;
  o: number;
  T: number;
  heads: number;
  kvHeads: number;
  d: number;
  start: number;
  window: number;
  scales: number;
  probs: number;
  /** Scaled scores out (float64 [heads][T][start + T]); 0: not wanted. */
  scores: number;
  scratch: number;
  stride: number;
}

/** In the order runUnits reads them. */
export const attentionParams = (j: AttentionJob) => [
  j.q,
  j.k,
  j.v,
  j.o,
  j.T,
  j.heads,
  j.kvHeads,
  j.d,
  j.start,
  j.window,
  j.scales,
  j.probs,
  j.scores,
  j.scratch,
  j.stride,
];

/**
 * Claims and runs units of job `gen` until none is left or the job is over
 * (its claim no longer carries the job's number). A thread counts itself
 * active before it looks at the job and reads the job's fields only while the
 * claim carries its number; the caller closes the claim and waits until no
 * thread is active before it writes the next job. So a thread that wakes late
 * never reads a half-written job, nor runs a unit of one job with the fields
 * of the next. `thread` picks this thread's scratch space; `readSync` is
 * node:fs's. Returns the first error a unit threw, or null.
 */
export function runUnits(
  ctl: Int32Array,
  S: Slots,
  gen: number,
  k: Kernels,
  memory: WebAssembly.Memory,
  weights: (id: number) => Uint8Array,
  thread: number,
  readSync: (fd: number, into: Uint8Array, offset: number, length: number, position: number) => number,
): unknown {
  const tag = gen << 16;
  let error: unknown = null;
  Atomics.add(ctl, S.active, 1);
  try {
    if ((Atomics.load(ctl, S.claim) & 0x7fff0000) !== tag) return null;
    const kind = Atomics.load(ctl, S.kind);
    const total = Atomics.load(ctl, S.total);
    const p = Array.from({ length: 15 }, (_, i) => Atomics.load(ctl, S.params + i) >>> 0);
    let u8: Uint8Array | null = null;
    /** The whole memory as bytes, made again once it has grown past `end`. */
    const bytes = (end: number) => (!u8 || u8.byteLength < end ? (u8 = new Uint8Array(memory.buffer)) : u8);
    for (;;) {
      const v = Atomics.load(ctl, S.claim);
      if ((v & 0x7fff0000) !== tag || (v & 0xffff) >= total) return error;
      if (Atomics.compareExchange(ctl, S.claim, v, v + 1) !== v) continue;
      try {
        runUnit(kind, v & 0xffff, p, bytes);
      } catch (e) {
        // Counted as done all the same, so the caller never waits for ever; it reports the failure.
        Atomics.store(ctl, S.failed, 1);
        error ??= e;
      }
      if (Atomics.add(ctl, S.done, 1) + 1 === total) Atomics.notify(ctl, S.done);
    }
  } finally {
    if (Atomics.sub(ctl, S.active, 1) === 1) Atomics.notify(ctl, S.active);
  }

  function runUnit(kind: number, u: number, p: number[], bytes: (end: number) => Uint8Array): void {
    if (kind === 1) {
      const [x, a, T, K, id, out, y, bias, cb, scratch, stride, dtype, rowBytes, at, ldy] = p as Fifteen;
      // Columns c0… of the output are the matrix's rows c0…: whole panels of 8, contiguous.
      const c0 = u * cb;
      const cols = Math.min(cb, out - c0);
      const panels = Math.ceil(cols / 8);
      const from = c0 * rowBytes;
      const raw = scratch + thread * stride;
      const widened = raw + Math.ceil((cb * rowBytes) / 64) * 64;
      const tmp = widened + cb * K * 4;
      let src = at + from;
      if (!at) {
        // Not resident: this block of panels copied into scratch first.
        bytes(tmp).set(weights(id).subarray(from, from + panels * 8 * rowBytes), raw);
        src = raw;
      }
      // BF16 panels are widened in registers where few rows stream them once (T < 6); else a block at a time.
      const bf16 = dtype === 1 && T < 6;
      let b = src;
      if (dtype !== 0 && !bf16) {
        k.widenPanels(src, dtype, panels, K, widened);
        b = widened;
      }
      k.gemmBlock(x, a, T, K, b, bf16 ? 1 : 0, cols, y + 4 * c0, ldy, bias ? bias + 4 * c0 : 0, tmp);
    } else if (kind === 3) {
      const [fd, posLo, posHi, length, dst, chunk] = p as Fifteen;
      const from = u * chunk,
        n = Math.min(chunk, length - from);
      const into = bytes(dst + length);
      let got = 0;
      for (let r = 1; got < n && r > 0; got += r)
        r = readSync(fd, into, dst + from + got, n - got, posHi * 4294967296 + posLo + from + got);
      if (got < n) throw new Error(`compute: the file ended ${length - from - got} bytes early`);
    } else if (kind === 4) {
      const [at, dtype, K, block, scratch, stride] = p as Fifteen;
      k.packInPlace(at + u * block, dtype, K, scratch + thread * stride);
    } else if (kind === 5) {
      const [src, n, stride, dtype, K, k0, at, rows, esize] = p as Fifteen;
      const cols = Math.min(8, rows - u * 8);
      k.packColumns(src + u * 8 * esize, n, stride, dtype, cols, at + (u * 8 * K + k0 * 8) * esize);
    } else {
      const [q, kp, vp, o, T, heads, kvHeads, d, start, window, scales, probs, shown, scratch, stride] = p as Fifteen;
      const scale = new Float64Array(memory.buffer, scales, heads)[u]!;
      const pr = probs ? probs + u * T * (start + T) * 8 : 0;
      const sh = shown ? shown + u * T * (start + T) * 8 : 0;
      k.attendHead(q, kp, vp, o, T, heads, kvHeads, d, start, window, u, scale, scratch + thread * stride, pr, sh);
    }
  }
}

/** The job's parameter slots, all read at once (each kind uses the first few). */
type Fifteen = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
