/**
 * Run by runtime.test.ts in a child process (node --import tsx), where the
 * runtime's flags differ: prints one JSON line with what it found.
 *   relaxed   the best kind; if it is relaxed SIMD, the product against the float64
 *             bound and bit identity for 1, 2, 3 threads
 *   no-simd   WebAssembly.validate reporting false (a runtime without SIMD): the kind
 *             chosen, and the product against the bound
 *   exit      two threads used and never closed: the process must still end
 *   started   threads started ahead (startThreads), twice, a product run on them
 *             (the bits of one thread), and a second compute's threads started and
 *             never used nor closed: the process must still end
 */
const mode = process.argv[2];
if (mode === 'no-simd') WebAssembly.validate = () => false;
const { openCompute } = await import('../../src/compute/index.js');
const { linearReference, randomMatrix, randomVector, rngFor } = await import('./reference.js');

/** Worst |y − ref| / bound over some shapes and dtypes, and whether every thread count gave the same bits. */
function product(threadCounts: number[]) {
  const computes = threadCounts.map((threads) => openCompute({ threads }));
  let worst = 0,
    identical = true;
  for (const [T, K, O] of [
    [1, 17, 40],
    [7, 768, 130],
    [64, 96, 515],
  ] as const)
    for (const dtype of ['F32', 'BF16', 'F16'] as const) {
      const rng = rngFor(T, K, O);
      const { W, values } = randomMatrix(computes[0]!, dtype, O, K, rng);
      const x = randomVector(T * K, rng),
        b = randomVector(O, rng);
      const ys = computes.map((c) => c.linear(x, T, W, b));
      const { y: ref, bound } = linearReference(x, T, K, values, O, b);
      ys[0]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!) / bound[i]!)));
      for (const y of ys) identical &&= Buffer.from(y.buffer).equals(Buffer.from(ys[0]!.buffer));
    }
  const kind = computes[0]!.kind;
  computes.forEach((c) => c.close());
  return { kind, worst, identical };
}

if (mode === 'relaxed') {
  const kind = openCompute({ threads: 1 }).kind;
  console.log(JSON.stringify(kind === 'wasm-relaxed-simd' ? product([1, 2, 3]) : { kind }));
} else if (mode === 'no-simd') {
  console.log(JSON.stringify(product([1])));
} else if (mode === 'exit') {
  const c = openCompute({ threads: 2 });
  const W = c.allocMatrix('F32', 512, 256);
  const y = c.linear(new Float32Array(64 * 256).fill(1), 64, W);
  console.log(JSON.stringify({ kind: c.kind, threads: c.threads, values: y.length }));
} else if (mode === 'started') {
  const [one, three] = [openCompute({ threads: 1 }), openCompute({ threads: 3 })];
  three.startThreads();
  three.startThreads();
  await new Promise((r) => setTimeout(r, 500)); // booted by now
  const rng = rngFor(64, 96, 515);
  const x = randomVector(64 * 96, rng);
  const ys = [one, three].map((c) => {
    const { W } = randomMatrix(c, 'F32', 515, 96, rngFor(1));
    return c.linear(x, 64, W);
  });
  openCompute({ threads: 2 }).startThreads(); // never used, never closed
  console.log(JSON.stringify({ identical: Buffer.from(ys[0]!.buffer).equals(Buffer.from(ys[1]!.buffer)) }));
}
