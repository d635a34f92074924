/** The WebAssembly implementation of Compute: kernels in the arena, matrix products and attention on every thread. */
import { Arena } from './arena.js';
import { checkAttention, checkLinear, checkRope, checkRows, checkTransposed } from './check.js';
import { dtypeInfo, type Dtype } from './dtype.js';
import { PANEL, sharedMatrix, StoredMatrix, type Matrix } from './matrix.js';
import { Pool } from './pool.js';
import type { Activation, AttentionInput, AttentionOutput, Compute, NormOptions, RopeOptions } from './types.js';
import { readAll } from './read.js';
import {
  attentionParams,
  JOB_ATTENTION,
  JOB_LINEAR,
  JOB_PACK,
  JOB_PACK_COLUMNS,
  JOB_READ,
  linearParams,
  packColumnsParams,
  packParams,
  readParams,
} from './units.js';
import { instantiate, type Kernels, type WasmKind } from './wasm.js';

export const ACTIVATIONS: Record<Activation, number> = { gelu_tanh: 0, gelu: 1, silu: 2, relu: 3 };
/** Rows of an A tile (assembly/matmul.ts MR). */
const MR = 6;

/** Output floats per cache line: units own whole lines of y, so two threads never write one line. */
const LINE = 16;

/**
 * Output columns per unit: a block whose float32 panels (cb · K · 4 bytes) stay
 * near 128 KiB, so it sits in L2 while every row tile passes; 16 to 64 columns
 * (whole cache lines of y), and few enough units for one job. Any value gives
 * the same bits.
 */
export function columnsPerUnit(K: number, out: number): number {
  let cb = Math.floor(32768 / K / LINE) * LINE;
  cb = Math.min(64, Math.max(LINE, cb));
  return Math.max(cb, Math.ceil(out / 0xffff / LINE) * LINE);
}

/** Rows per call of the kernels, so one call's activations fit the room left (rows are independent: same bits). */
function rowsPerChunk(T: number, K: number, out: number, threads: number, room: number): number {
  const perRow = 4 * (2 * K + out);
  const fixed = threads * (64 * 4 * K + 64 * 8) + (1 << 20);
  return Math.max(MR, Math.min(T, Math.floor((room / 2 - fixed) / perRow)));
}

export class WasmCompute implements Compute {
  private readonly arena: Arena;
  private readonly k: Kernels;
  private readonly pool: Pool;
  private closed = false;
  /** Arrays from allocCache still held, and where they sit in the arena. */
  private readonly caches = new WeakMap<Float32Array, number>();

  constructor(
    readonly kind: WasmKind,
    module: WebAssembly.Module,
    readonly threads: number,
    residentBytes: number,
  ) {
    this.arena = new Arena(residentBytes);
    this.k = instantiate(module, this.arena.memory);
    this.pool = new Pool(threads, module, this.arena.memory, this.k);
  }

  private open(): void {
    if (this.closed) throw new Error('compute: used after close()');
  }

  allocMatrix(dtype: Dtype, rows: number, cols: number, filled = false): Matrix {
    this.open();
    const bytes = StoredMatrix.bytesFor(dtype, rows, cols);
    const storage = this.arena.allocResident(bytes, filled ? rows * dtypeInfo(dtype).rowBytes(cols) : 0);
    if (storage) return new StoredMatrix(dtype, rows, cols, storage, storage.byteOffset, this.arena);
    return sharedMatrix(dtype, rows, cols);
  }

  allocCache(length: number): Float32Array {
    this.open();
    if (!Number.isSafeInteger(length) || length < 1) throw new RangeError(`compute: a cache of ${length} values`);
    const storage = this.arena.allocResident(4 * length);
    if (!storage) return new Float32Array(length);
    const view = new Float32Array(storage.buffer, storage.byteOffset, length);
    this.caches.set(view, storage.byteOffset);
    return view;
  }

  releaseCache(cache: Float32Array): void {
    const at = this.caches.get(cache);
    if (at === undefined || this.closed) return;
    this.caches.delete(cache);
    this.arena.freeResident(at, cache.byteLength);
  }

  releaseMatrix(m: Matrix): void {
    const s = this.stored(m);
    if (this.closed || s.released) return;
    s.released = true;
    if (this.resident(s)) this.arena.freeResident(s.at, s.storage.byteLength);
    this.pool.release(s.id);
  }

  /** In this arena: read in place. (A matrix of another Compute is read like one outside any arena.) */
  private resident(m: StoredMatrix): boolean {
    return m.arena === this.arena;
  }

  private stored(m: Matrix): StoredMatrix {
    if (!(m instanceof StoredMatrix)) throw new TypeError('compute: a matrix from allocMatrix, please');
    return m;
  }

  /** Packs a matrix's rows into panels, in place, once: at its first product (a resident one on every thread). */
  private pack(m: StoredMatrix): void {
    const a = this.arena,
      block = PANEL * m.rowBytes,
      code = dtypeInfo(m.dtype).code;
    a.reset();
    if (this.resident(m)) {
      const stride = Math.ceil(block / 64) * 64;
      const S = a.take(this.threads * stride);
      a.ready();
      const job = { at: m.at, dtype: code, K: m.cols, block, scratch: S, stride };
      this.pool.run(JOB_PACK, packParams(job), m.storage.byteLength / block);
      m.packed = true;
      return;
    }
    const copy = a.take(block);
    const tmp = a.take(block);
    a.ready();
    for (let at = 0; at < m.storage.byteLength; at += block) {
      a.bytes.set(m.storage.subarray(at, at + block), copy);
      this.k.packInPlace(copy, code, m.cols, tmp);
      m.storage.set(a.bytes.subarray(copy, copy + block), at);
    }
    m.packed = true;
  }

  readFile(fd: number, position: number, into: Uint8Array): void {
    this.open();
    const at = this.arena.offsetOf(into);
    const chunk = Math.max(1 << 20, Math.ceil(into.length / 0xffff / 65536) * 65536);
    if (at === undefined || this.threads === 1 || into.length <= chunk) return readAll(fd, position, into);
    const job = {
      fd,
      posLo: position % 2 ** 32,
      posHi: Math.floor(position / 2 ** 32),
      length: into.length,
      dst: at,
      chunk,
    };
    try {
      this.pool.run(JOB_READ, readParams(job), Math.ceil(into.length / chunk));
    } catch (e) {
      // A worker's error reaches here only as "failed": say what reading can fail of.
      throw new RangeError(`compute: the file ended early or could not be read (${(e as Error).message})`);
    }
  }

  fillTransposed(
    parts: ReadonlyArray<{ matrix: Matrix; first: number }>,
    stride: number,
    read: (k0: number, n: number, into: Uint8Array) => void,
  ): void {
    this.open();
    checkTransposed(parts, stride);
    const ms = parts.map((p) => this.stored(p.matrix));
    if (ms.some((m) => m.packed)) throw new Error('compute: fillTransposed on a matrix already in use');
    const { cols: K, dtype } = ms[0]!,
      esize = dtypeInfo(dtype).rowBytes(1),
      code = dtypeInfo(dtype).code;
    const chunk = Math.max(1, Math.min(K, Math.floor((4 << 20) / (stride * esize))));
    const a = this.arena;
    a.reset();
    const S = a.take(chunk * stride * esize);
    const P = ms.every((m) => this.resident(m)) ? 0 : a.take(chunk * PANEL * esize);
    a.ready();
    for (let k0 = 0; k0 < K; k0 += chunk) {
      const n = Math.min(chunk, K - k0);
      read(k0, n, a.bytes.subarray(S, S + n * stride * esize));
      parts.forEach(({ first }, i) => {
        const m = ms[i]!,
          src = S + first * esize,
          panels = Math.ceil(m.rows / PANEL);
        if (this.resident(m)) {
          const job = { src, n, stride, dtype: code, K, k0, at: m.at, rows: m.rows, esize };
          this.pool.run(JOB_PACK_COLUMNS, packColumnsParams(job), panels);
          return;
        }
        for (let p = 0; p < panels; p++) {
          const cols = Math.min(PANEL, m.rows - p * PANEL);
          this.k.packColumns(src + p * PANEL * esize, n, stride, code, cols, P);
          m.storage.set(a.bytes.subarray(P, P + n * PANEL * esize), (p * PANEL * K + k0 * PANEL) * esize);
        }
      });
    }
    for (const m of ms) m.packed = true;
  }

  linear(x: Float32Array, T: number, W: Matrix, bias: Float32Array | null = null, out?: Float32Array): Float32Array {
    this.open();
    checkLinear(x, T, W, bias, out);
    const K = W.cols,
      O = W.rows;
    const y = out ?? new Float32Array(T * O);
    const m = this.stored(W);
    if (!m.packed) this.pack(m);
    if (!this.resident(m)) this.pool.register(m.id, m.storage);
    const chunk = rowsPerChunk(T, K, O, this.threads, this.arena.free);
    for (let t = 0; t < T; t += chunk) {
      const n = Math.min(chunk, T - t);
      this.linearRows(x.subarray(t * K, (t + n) * K), n, m, bias, y.subarray(t * O, (t + n) * O));
    }
    return y;
  }

  private linearRows(x: Float32Array, T: number, W: StoredMatrix, bias: Float32Array | null, y: Float32Array): void {
    const K = W.cols,
      O = W.rows,
      a = this.arena;
    const cb = columnsPerUnit(K, O);
    const stride = Math.ceil((cb * W.rowBytes) / 64) * 64 + cb * K * 4 + 256;
    a.reset();
    const X = a.take(T * K * 4);
    const A = T >= MR ? a.take(Math.ceil(T / MR) * MR * K * 4) : 0;
    // Rows of y padded to whole cache lines, so units' column blocks never share one.
    const ldy = Math.ceil(O / LINE) * LINE;
    const Y = a.take(T * ldy * 4);
    const B = bias ? a.take(O * 4) : 0;
    const S = a.take(this.threads * stride);
    a.ready();
    a.put(X, x);
    if (bias) a.put(B, bias);
    if (A) this.k.packA(X, T, K, A);
    const job = { x: X, a: A, T, K, matrix: W.id, out: O, y: Y, bias: B, cb, scratch: S, stride, ldy };
    const at = this.resident(W) ? W.at : 0;
    const params = linearParams({ ...job, dtype: dtypeInfo(W.dtype).code, rowBytes: W.rowBytes, at });
    this.pool.run(JOB_LINEAR, params, Math.ceil(O / cb));
    if (ldy === O) y.set(a.f32(Y, T * O));
    else for (let t = 0; t < T; t++) y.set(a.f32(Y + t * ldy * 4, O), t * O);
  }

  norm(x: Float32Array, T: number, C: number, o: NormOptions, out?: Float32Array): Float32Array {
    this.open();
    checkRows('norm', x, T, C);
    for (const [name, v] of [
      ['weight', o.weight],
      ['bias', o.bias],
    ] as const)
      if (v && v.length !== C) throw new RangeError(`compute: norm ${name} has ${v.length} values for rows of ${C}`);
    const a = this.arena;
    a.reset();
    const X = a.take(x.length * 4),
      Y = a.take(x.length * 4);
    const Wt = o.weight ? a.take(C * 4) : 0,
      Bt = o.bias ? a.take(C * 4) : 0;
    a.ready();
    a.put(X, x);
    if (o.weight) a.put(Wt, o.weight);
    if (o.bias) a.put(Bt, o.bias);
    const flags = (o.kind === 'layernorm' ? 1 : 0) | (o.onePlus ? 2 : 0);
    this.k.normRows(X, T, C, flags, o.eps, Wt, Bt, Y);
    const y = out ?? new Float32Array(x.length);
    y.set(a.f32(Y, x.length));
    return y;
  }

  /** Runs an in-place kernel on copies of the arrays, then copies the first back. */
  private inPlace(arrays: Float32Array[], run: (at: number[]) => void): void {
    const a = this.arena;
    a.reset();
    const at = arrays.map((v) => a.take(v.length * 4));
    a.ready();
    arrays.forEach((v, i) => a.put(at[i]!, v));
    run(at);
    arrays[0]!.set(a.f32(at[0]!, arrays[0]!.length));
  }

  activation(x: Float32Array, kind: Activation): void {
    this.open();
    const code = ACTIVATIONS[kind];
    this.inPlace([x], ([X]) => this.k.activation(X!, x.length, code));
  }

  gated(gate: Float32Array, up: Float32Array, kind: Activation): void {
    this.open();
    if (gate.length !== up.length) throw new RangeError(`compute: gated: ${gate.length} gates, ${up.length} values`);
    const code = ACTIVATIONS[kind];
    this.inPlace([gate, up], ([G, U]) => this.k.gated(G!, U!, gate.length, code));
  }

  add(x: Float32Array, y: Float32Array): void {
    this.open();
    if (x.length !== y.length) throw new RangeError(`compute: add: ${x.length} and ${y.length} values`);
    this.inPlace([x, y], ([X, Y]) => this.k.addInto(X!, Y!, x.length));
  }

  rope(x: Float32Array, T: number, heads: number, d: number, o: RopeOptions): void {
    this.open();
    checkRope(x, T, heads, d, o);
    const half = o.rotaryDims / 2;
    this.inPlace([x, new Float32Array(half * 2)], ([X, F]) => {
      this.arena.f64(F!, half).set(o.invFreq.subarray(0, half));
      this.k.rope(X!, T, heads, d, o.rotaryDims, o.start, F!);
    });
  }

  attention(input: AttentionInput): AttentionOutput {
    this.open();
    checkAttention(input);
    const { T, heads, kvHeads, d, start } = input;
    const total = start + T,
      kvLen = total * kvHeads * d,
      a = this.arena;
    a.reset();
    // A cache from allocCache (or a part of one) is read where it is; any other array is copied in (the positions used).
    const kAt = a.offsetOf(input.k),
      vAt = a.offsetOf(input.v);
    const Q = a.take(T * heads * d * 4),
      Kc = kAt ?? a.take(kvLen * 4),
      Vc = vAt ?? a.take(kvLen * 4),
      O = a.take(T * heads * d * 4),
      scales = a.take(heads * 8),
      P = input.weights ? a.take(heads * T * total * 8) : 0,
      shown = input.scores ? a.take(heads * T * total * 8) : 0,
      stride = Math.ceil((total * 8) / 64) * 64,
      S = a.take(this.threads * stride);
    a.ready();
    a.put(Q, input.q);
    if (kAt === undefined) a.put(Kc, input.k.subarray(0, kvLen));
    if (vAt === undefined) a.put(Vc, input.v.subarray(0, kvLen));
    const sc = a.f64(scales, heads);
    if (typeof input.scale === 'number') sc.fill(input.scale);
    else sc.set(input.scale);
    const window = input.window ?? 0;
    const job = { q: Q, k: Kc, v: Vc, o: O, T, heads, kvHeads, d, start, window, scales, probs: P, scores: shown };
    this.pool.run(JOB_ATTENTION, attentionParams({ ...job, scratch: S, stride }), heads);
    return {
      out: a.f32(O, T * heads * d).slice(),
      weights: P ? a.f64(P, heads * T * total).slice() : null,
      scores: shown ? a.f64(shown, heads * T * total).slice() : null,
    };
  }

  startThreads(): void {
    this.open();
    this.pool.start();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
  }
}
