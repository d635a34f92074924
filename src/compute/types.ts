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
  /** Keys and values [positions ≥ start + T, kvHeads, d]: the cache, new rows already written (from allocCache: read in place). */
  k: Float32Array;
  v: Float32Array;
  start: number;
  /** Sliding window (keys within the last `window` positions, the query's own included); 0/absent: none. */
  window?: number;
  /** Score scale, one for all heads or one per head (e.g. 1/√d). */
  scale: number | Float64Array;
  /** Also return the weights [heads, T, start + T], masked ones exactly 0. */
  weights?: boolean;
}

export interface AttentionOutput {
  /** [T, heads, d] */
  out: Float32Array;
  weights: Float32Array | null;
}

export interface Compute {
  readonly kind: ComputeKind;
  readonly threads: number;
  /** A weight matrix [rows = outputs, cols = inputs] to fill through its `bytes`. */
  allocMatrix(dtype: Dtype, rows: number, cols: number): Matrix;
  /**
   * A zeroed Float32Array kept inside the kernels' memory while it fits (a K/V
   * cache [positions, kvHeads, d]): attention reads it in place instead of
   * copying it each call. Pass the array itself, not a subarray.
   */
  allocCache(length: number): Float32Array;
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
  /** Stops the worker threads; the object is unusable afterwards. */
  close(): void;
}
