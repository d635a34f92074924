/** Argument checks shared by both implementations: a wrong size is a programming error, said plainly. */
import type { Matrix } from './matrix.js';
import type { AttentionInput, RopeOptions } from './types.js';

function fail(what: string): never {
  throw new RangeError(`compute: ${what}`);
}

const count = (n: number) => Number.isSafeInteger(n) && n >= 0;

export function checkLinear(
  x: Float32Array,
  T: number,
  W: Matrix,
  bias: Float32Array | null,
  out?: Float32Array,
): void {
  if (!count(T)) fail(`linear: T = ${T}`);
  if (x.length !== T * W.cols) fail(`linear: x has ${x.length} values, [${T}, ${W.cols}] needs ${T * W.cols}`);
  if (bias && bias.length !== W.rows) fail(`linear: bias has ${bias.length} values, the matrix has ${W.rows} rows`);
  if (out && out.length !== T * W.rows)
    fail(`linear: out has ${out.length} values, [${T}, ${W.rows}] needs ${T * W.rows}`);
}

export function checkRows(what: string, x: Float32Array, T: number, C: number): void {
  if (!count(T) || !count(C) || x.length !== T * C) fail(`${what}: ${x.length} values are not [${T}, ${C}]`);
}

export function checkRope(x: Float32Array, T: number, heads: number, d: number, o: RopeOptions): void {
  checkRows('rope', x, T, heads * d);
  if (o.rotaryDims % 2 || o.rotaryDims < 0 || o.rotaryDims > d) fail(`rope: rotaryDims ${o.rotaryDims} with d = ${d}`);
  if (o.invFreq.length < o.rotaryDims / 2) fail(`rope: ${o.invFreq.length} frequencies for ${o.rotaryDims} dims`);
  if (!count(o.start)) fail(`rope: start = ${o.start}`);
}

export function checkAttention(a: AttentionInput): void {
  const { T, heads, kvHeads, d, start } = a;
  if (![T, heads, kvHeads, d, start].every(count) || heads < 1 || kvHeads < 1 || d < 1)
    fail(`attention: sizes T ${T}, heads ${heads}, kvHeads ${kvHeads}, d ${d}, start ${start}`);
  if (heads % kvHeads) fail(`attention: ${heads} heads do not split into ${kvHeads} K/V heads`);
  checkRows('attention q', a.q, T, heads * d);
  const need = (start + T) * kvHeads * d;
  if (a.k.length < need || a.v.length < need) fail(`attention: the K/V cache holds fewer than ${start + T} positions`);
  if (typeof a.scale !== 'number' && a.scale.length !== heads)
    fail(`attention: ${a.scale.length} scales for ${heads} heads`);
  if (a.window !== undefined && !count(a.window)) fail(`attention: window = ${a.window}`);
}
