// Compiles the AssemblyScript kernels (src/compute/assembly) twice into dist/wasm/:
// compute-simd.wasm (128-bit SIMD, multiply then add) and compute-relaxed.wasm
// (the same source with relaxed-SIMD fused multiply-add). Both import one shared
// memory, so every thread's instance works on the same arena. Run by `npm run build`
// and, when stale, by the test set-up; dist/ is not committed.
import asc from 'assemblyscript/asc';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'compute', 'assembly');
const out = join(root, 'dist', 'wasm');

export const WASM_FILES = ['compute-simd.wasm', 'compute-relaxed.wasm'];

/** True when both modules exist and are newer than every kernel source file. */
export function wasmIsFresh() {
  const newest = Math.max(...readdirSync(source).map((f) => statSync(join(source, f)).mtimeMs));
  return WASM_FILES.every((f) => (statSync(join(out, f), { throwIfNoEntry: false })?.mtimeMs ?? 0) > newest);
}

export async function buildWasm() {
  mkdirSync(out, { recursive: true });
  const common = [
    join(source, 'index.ts'),
    '-O3',
    '--noAssert',
    '--runtime',
    'stub',
    '--importMemory',
    '--sharedMemory',
    '--initialMemory',
    '1',
    '--maximumMemory',
    '65536',
    '--enable',
    'simd',
    '--enable',
    'threads',
  ];
  for (const [file, extra] of [
    ['compute-simd.wasm', []],
    ['compute-relaxed.wasm', ['--enable', 'relaxed-simd']],
  ]) {
    const { error, stderr } = await asc.main([...common, ...extra, '-o', join(out, file)]);
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`AssemblyScript build of ${file} failed: ${error.message}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWasm();
