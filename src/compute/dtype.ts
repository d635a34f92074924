/**
 * Storage kinds of a weight matrix. Each is widened to float32 inside the
 * kernel, as the product runs; the numbers are the kernel's (assembly/matmul.ts).
 * A block format (Q8_0, Q4_K …) becomes one more entry here and one more case
 * in the kernel's packB: callers do not change.
 */
export type Dtype = 'F32' | 'BF16' | 'F16';

interface DtypeInfo {
  code: number;
  /** Bytes of one row of `cols` values. */
  rowBytes: (cols: number) => number;
}

export const DTYPES: ReadonlyMap<Dtype, DtypeInfo> = new Map<Dtype, DtypeInfo>([
  ['F32', { code: 0, rowBytes: (c) => 4 * c }],
  ['BF16', { code: 1, rowBytes: (c) => 2 * c }],
  ['F16', { code: 2, rowBytes: (c) => 2 * c }],
]);

export function dtypeInfo(dtype: string): DtypeInfo {
  const d = DTYPES.get(dtype as Dtype);
  if (!d) throw new Error(`compute: no kernel for weights of dtype ${dtype} (runs ${[...DTYPES.keys()].join(', ')})`);
  return d;
}

/** IEEE half bits → number, exactly (subnormals, infinities, NaN). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
