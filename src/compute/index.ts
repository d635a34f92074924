/**
 * src/compute: float32 kernels for a transformer's forward pass and the
 * threads that run them. Knows nothing of models; nothing at start-up imports
 * it (import it lazily, where a command runs a model).
 *
 *   const c = openCompute({ threads: 2 });            // default: os.availableParallelism()
 *   const W = c.allocMatrix('BF16', out, in);          // [out, in], PyTorch's Linear layout
 *   readSync(fd, W.bytes, 0, W.bytes.byteLength, at);  // the file's bytes, straight in (before first use)
 *   writeFloat32(W2, values);                          // or float32 values into an F32 matrix
 *   const y = c.linear(x, T, W, bias);                 // y[T, out] = x[T, in]·Wᵀ + bias
 *   const h = c.norm(x, T, C, { kind: 'layernorm', eps: 1e-5, weight, bias });
 *   c.activation(y, 'gelu_tanh'); c.gated(gate, up, 'silu'); c.add(x, y);
 *   c.rope(q, T, heads, d, { start, rotaryDims, invFreq });
 *   const k = c.allocCache(positions * kvHeads * d);  // K/V caches read in place by attention
 *   const { out, weights } = c.attention({ q, T, heads, kvHeads, d, k, v, start, scale, window, weights: true });
 *   c.close();                                        // or let the process end: workers never hold it
 *
 * Kinds, best first (`kind` says which one runs): 'wasm-relaxed-simd' (fused
 * multiply-add; Node 20 only under --experimental-wasm-relaxed-simd),
 * 'wasm-simd' (f32x4 multiply then add), 'js' (no WebAssembly SIMD; one thread).
 *
 * Numbers: each output of `linear` is one float32 sum in order of k (then the
 * bias), so it is the same bits for any thread count, tiling or number of rows
 * T; the JavaScript kind rounds exactly as 'wasm-simd' does. Norms, softmax,
 * RoPE angles and GELU (erf) run in float64 and round once to float32; GELU
 * (tanh) and SiLU run in float32 SIMD (within 2e-6 of the float64 value; the
 * JavaScript kind computes them in float64).
 *
 * Memory: weights stay in their stored precision (F32, BF16, F16), packed once
 * (at first use, in place) into the kernel's panels, shared by all threads,
 * never copied per call: inside the one shared WebAssembly memory while they
 * fit (residentBytes, default 3 GiB), beyond that each in a SharedArrayBuffer
 * of its own, a block at a time copied into a thread's scratch as the product
 * runs. 16-bit panels are widened to float32 a block at a time in scratch
 * (BF16 ones in registers when fewer than 6 rows stream them once). A
 * model is thus not bounded by the 4 GiB of a WebAssembly memory; one call's
 * activations are.
 */
import { availableParallelism } from 'node:os';
import { JsCompute } from './fallback.js';
import type { Compute, ComputeKind } from './types.js';
import { WasmCompute } from './wasm-compute.js';
import { bestWasmKind, wasmModule } from './wasm.js';

export type { Dtype } from './dtype.js';
export { writeFloat32, type Matrix } from './matrix.js';
export type * from './types.js';

export interface ComputeOptions {
  /** Threads, the caller's included (default: the machine's available parallelism). */
  threads?: number;
  /** Force an implementation (tests, benchmarks); default: the best the runtime has. */
  kind?: ComputeKind;
  /** Bytes of weights kept inside the WebAssembly memory (read in place); the rest in SharedArrayBuffers. Default 3 GiB. */
  residentBytes?: number;
}

export function openCompute(opts: ComputeOptions = {}): Compute {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RangeError(`compute: threads must be an integer from 1 to 256, not ${threads}`);
  const resident = opts.residentBytes ?? 3 * 2 ** 30;
  if (!(resident >= 0)) throw new RangeError(`compute: residentBytes must be a number ≥ 0, not ${resident}`);
  const kind = opts.kind ?? bestWasmKind() ?? 'js';
  if (kind === 'js') return new JsCompute();
  const module = wasmModule(kind);
  if (!module) throw new Error(`compute: this runtime does not run ${kind}`);
  return new WasmCompute(kind, module, threads, resident);
}
