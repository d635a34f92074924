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
  /** Job number, bumped for each job; workers wait on it. */
  gen: 0,
  /** (job number mod 2^15) · 2^16 + the next unclaimed unit. */
  claim: 1,
  /** Units finished; the caller waits on it. */
  done: 2,
  total: 3,
  kind: 4,
  /** Set by a thread whose unit threw. */
  failed: 5,
  /** Set by close(): workers leave. */
  stop: 6,
  /** Parameters of the job, by kind (see LINEAR and ATTENTION). */
  params: 8,
} as const;
export type Slots = typeof SLOTS;
export const CONTROL_INTS = 32;

export const JOB_LINEAR = 1;
export const JOB_ATTENTION = 2;

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
  j.scratch,
  j.stride,
];

/**
 * Claims and runs units of job `gen` until none is left or a newer job has
 * replaced it (its claim then fails: a late thread never works on a job it
 * did not read). `thread` picks this thread's scratch space. Returns the
 * first error a unit threw, or null.
 */
export function runUnits(
  ctl: Int32Array,
  S: Slots,
  gen: number,
  k: Kernels,
  memory: WebAssembly.Memory,
  weights: (id: number) => Uint8Array,
  thread: number,
): unknown {
  const kind = Atomics.load(ctl, S.kind);
  const total = Atomics.load(ctl, S.total);
  const params = (n: number) => Array.from({ length: n }, (_, i) => Atomics.load(ctl, S.params + i) >>> 0);
  const tag = (gen & 0x7fff) << 16;
  let u8: Uint8Array | null = null;
  let error: unknown = null;
  for (;;) {
    const v = Atomics.load(ctl, S.claim);
    if ((v & 0x7fff0000) !== tag || (v & 0xffff) >= total) return error;
    if (Atomics.compareExchange(ctl, S.claim, v, v + 1) !== v) continue;
    const u = v & 0xffff;
    try {
      if (kind === 1) {
        const [x, a, T, K, id, out, y, bias, cb, scratch, stride, dtype, rowBytes, at, ldy] = params(15);
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
          if (!u8 || u8.byteLength < tmp) u8 = new Uint8Array(memory.buffer);
          u8.set(weights(id).subarray(from, from + panels * 8 * rowBytes), raw);
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
      } else {
        const [q, kp, vp, o, T, heads, kvHeads, d, start, window, scales, probs, scratch, stride] = params(14);
        const scale = new Float64Array(memory.buffer, scales, heads)[u]!;
        const pr = probs ? probs + u * T * (start + T) * 4 : 0;
        k.attendHead(q, kp, vp, o, T, heads, kvHeads, d, start, window, u, scale, scratch + thread * stride, pr);
      }
    } catch (e) {
      // Counted as done all the same, so the caller never waits for ever; it reports the failure.
      Atomics.store(ctl, S.failed, 1);
      error ??= e;
    }
    if (Atomics.add(ctl, S.done, 1) + 1 === total) Atomics.notify(ctl, S.done);
  }
}
