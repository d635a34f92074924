/**
 * Finds and compiles the kernels' WebAssembly (built by `npm run build` into
 * dist/wasm/, where code run from src/ finds it too), and picks the best the
 * runtime validates: relaxed SIMD (fused multiply-add), else plain SIMD.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WasmKind = 'wasm-relaxed-simd' | 'wasm-simd';

const FILES: Record<WasmKind, string> = {
  'wasm-relaxed-simd': 'compute-relaxed.wasm',
  'wasm-simd': 'compute-simd.wasm',
};

/** The kernels' exports (pointers are byte offsets in the shared memory). */
export interface Kernels {
  packA(x: number, T: number, K: number, a: number): void;
  packInPlace(block: number, dtype: number, K: number, tmp: number): void;
  widenPanels(src: number, dtype: number, panels: number, K: number, dst: number): void;
  gemmBlock(
    x: number,
    a: number,
    T: number,
    K: number,
    b: number,
    bf16: number,
    cols: number,
    y: number,
    ldy: number,
    bias: number,
    tmp: number,
  ): void;
  normRows(x: number, T: number, C: number, flags: number, eps: number, w: number, b: number, y: number): void;
  activation(x: number, n: number, kind: number): void;
  gated(gate: number, up: number, n: number, kind: number): void;
  addInto(x: number, y: number, n: number): void;
  rope(x: number, T: number, heads: number, d: number, rot: number, start: number, inv: number): void;
  erfcPos(a: number): number;
  /** Benchmark only: a register-only fused multiply-add loop, 96 flops an iteration (see matmul.ts). */
  simdPeak(iters: number): number;
  attendHead(
    q: number,
    K: number,
    V: number,
    out: number,
    T: number,
    heads: number,
    kvHeads: number,
    d: number,
    start: number,
    window: number,
    h: number,
    scale: number,
    scores: number,
    probs: number,
  ): void;
}

const compiled = new Map<WasmKind, WebAssembly.Module | null>();

/**
 * dist/wasm/ of the package: walking up from this file finds the folder that
 * holds package.json the same way from src/compute (tests, tsx) and from
 * dist/src/compute (after the build; dist/ has a package.json of its own, so
 * the folder must also hold dist/wasm).
 */
function wasmDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'wasm');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('compute: no dist/wasm/ above src/compute; run `npm run build`');
  }
}

function wasmPath(kind: WasmKind): string {
  return join(wasmDir(), FILES[kind]);
}

/** The compiled module for this kind, or null when the runtime does not validate it. */
export function wasmModule(kind: WasmKind): WebAssembly.Module | null {
  if (compiled.has(kind)) return compiled.get(kind)!;
  const path = wasmPath(kind);
  if (!existsSync(path))
    throw new Error(`compute: ${path} is missing; run \`npm run build\` (it compiles src/compute/assembly)`);
  const bytes = readFileSync(path);
  const module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  compiled.set(kind, module);
  return module;
}

/** The best kind this runtime runs, or null (no WebAssembly SIMD: the JavaScript kernels). */
export function bestWasmKind(): WasmKind | null {
  if (wasmModule('wasm-relaxed-simd')) return 'wasm-relaxed-simd';
  if (wasmModule('wasm-simd')) return 'wasm-simd';
  return null;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  const abort = () => {
    throw new Error('compute: a kernel aborted');
  };
  return new WebAssembly.Instance(module, { env: { memory, abort } }).exports as unknown as Kernels;
}
