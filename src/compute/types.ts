import type { Dtype } from './dtype.js';
import type { Matrix } from './matrix.js';

export type ComputeKind = 'wasm-relaxed-simd' | 'wasm-simd' | 'js';
export type Activation = 'gelu_tanh' | 'gelu' | 'silu' | 'relu';

export interface NormOptions {
  kind: 'layernorm' | 'rmsnorm';
  eps: number;
  /** γ [C]; null or absent: none. */
  weight?: Float32Array | null;
  /** β [C] (LayerNorm); null or absent: none. */
  bias?: Float32Array | null;
  /** Scale by (1 + γ) instead of γ: Gemma's stored form. */
  onePlus?: boolean;
}

export interface RopeOptions {
  /** Position of the first row. */
  start: number;
  /** Dims of each head rotated (the first ones; even, ≤ d): d·rotary fraction. */
  rotaryDims: number;
  /** rotaryDims / 2 inverse frequencies, as the model computes them (scaling included). */
  invFreq: Float64Array;
}

export interface AttentionInput {
  /** Queries [T, heads, d] of the new positions start … start + T − 1. */
  q: Float32Array;
  T: number;
  heads: number;
  kvHeads: number;
  d: number;
  /** Keys and values [positions ≥ start + T, kvHeads, d]: the cache, new rows already written (from allocCache, or part of one: read in place). */
  k: Float32Array;
  v: Float32Array;
  start: number;
  /** Sliding window (keys within the last `window` positions, the query's own included); 0/absent: none. */
  window?: number;
  /** Score scale, one for all heads or one per head (e.g. 1/√d). */
  scale: number | Float64Array;
  /** Also return the weights [heads, T, start + T] (float64 as softmax makes them; the sum uses each rounded to float32), masked ones exactly 0. */
  weights?: boolean;
  /** Also return the scaled scores [heads, T, start + T] (float64, as softmax reads them), masked ones −Infinity. */
  scores?: boolean;
}

export interface AttentionOutput {
  /** [T, heads, d] */
  out: Float32Array;
  weights: Float64Array | null;
  scores: Float64Array | null;
}

export interface Compute {
  readonly kind: ComputeKind;
  readonly threads: number;
  /**
   * A weight matrix [rows = outputs, cols = inputs] to fill through its
   * `bytes`, zeroed; with `filled`, the caller promises to write every byte of
   * `bytes` (or fill it through fillTransposed) before first use, so only the
   * padding rows are zeroed (a model's load skips clearing what it writes).
   */
  allocMatrix(dtype: Dtype, rows: number, cols: number, filled?: boolean): Matrix;
  /**
   * A zeroed Float32Array kept inside the kernels' memory while it fits (a K/V
   * cache [positions, kvHeads, d]): attention reads it in place instead of
   * copying it each call. Pass the array itself, not a subarray.
   */
  allocCache(length: number): Float32Array;
  /** Gives a cache's room back (pass the array allocCache returned); using it afterwards is an error. */
  releaseCache(cache: Float32Array): void;
  /**
   * Fills matrices from a weight stored input-major ([K][stride]: each input's
   * outputs, PyTorch's Conv1D in GPT-2) without a transpose pass: `read(k0,
   * n, into)` puts stored rows k0 … k0 + n − 1 (n·stride values of the
   * matrices' dtype, little-endian) into `into`; part i's row r is stored
   * column parts[i].first + r. Instead of writing `bytes`; ready afterwards.
   * `read` may call readFile, nothing else of this Compute.
   */
  fillTransposed(
    parts: ReadonlyArray<{ matrix: Matrix; first: number }>,
    stride: number,
    read: (k0: number, n: number, into: Uint8Array) => void,
  ): void;
  /**
   * Reads a file range into `into` (a matrix's bytes, or what fillTransposed's
   * `read` is handed): inside the kernels' memory, every thread reads a part.
   * Throws when the file ends first.
   */
  readFile(fd: number, position: number, into: Uint8Array): void;
  /** Forgets a matrix (its memory is freed once nothing else holds it). */
  releaseMatrix(m: Matrix): void;
  /** y[T, W.rows] = x[T, W.cols] · Wᵀ + bias. */
  linear(x: Float32Array, T: number, W: Matrix, bias?: Float32Array | null, out?: Float32Array): Float32Array;
  /** Each row of width C normalised (a new array). */
  norm(x: Float32Array, T: number, C: number, opts: NormOptions, out?: Float32Array): Float32Array;
  /** x = act(x), in place. */
  activation(x: Float32Array, kind: Activation): void;
  /** gate = act(gate) · up, in place (SwiGLU, GeGLU). */
  gated(gate: Float32Array, up: Float32Array, kind: Activation): void;
  /** x += y, in place (the residual stream). */
  add(x: Float32Array, y: Float32Array): void;
  /** RoPE (rotate_half) on x [T, heads, d], in place. */
  rope(x: Float32Array, T: number, heads: number, d: number, opts: RopeOptions): void;
  attention(input: AttentionInput): AttentionOutput;
  /**
   * Starts the worker threads now rather than at the first job: a thread takes
   * tens of milliseconds to boot, time a caller can spend on other work (a
   * model's tokenizer) before its first job. Does nothing when they run already.
   */
  startThreads(): void;
  /** Stops the worker threads; the object is unusable afterwards. */
  close(): void;
}
