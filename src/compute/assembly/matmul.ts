/**
 * The matrix product y[T, out] = x[T, in] · Wᵀ (+ bias), W stored [out, in]
 * (PyTorch's Linear). Every output is one sequential float32 sum over k,
 * acc = acc + x·w (or one fused multiply-add per k in the relaxed-SIMD build),
 * then + bias: the same bits whatever the tiling, the thread that ran it, or the
 * number of rows T, so a row computed alone equals the row computed in a batch.
 *
 * Layout: x is packed into tiles of MR = 6 rows, k-major ([K][6], zero rows past
 * T). Weight rows (output columns) are packed once, in place, into panels of
 * NR = 8 columns, k-major ([K][8]; the matrix's rows are padded to a multiple
 * of 8 with zeros): float32 panels are read as they are, 16-bit ones widened
 * a block at a time into scratch as the product runs. The 6×8 micro-kernel
 * keeps 12 f32x4 accumulators in registers (V8 gives wasm 15 xmm registers on
 * x64) and reads one broadcast and two vectors per k.
 */

export const MR: i32 = 6;
export const NR: i32 = 8;

/** Storage kinds of a weight block (the same numbers as src/compute/dtype.ts). */
const F32: i32 = 0;
const BF16: i32 = 1;
const F16: i32 = 2;

function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** x [T, K] → tiles [ceil(T/6)][K][6], rows past T zero. */
export function packA(x: usize, T: i32, K: i32, a: usize): void {
  const tiles = (T + MR - 1) / MR;
  for (let tile = 0; tile < tiles; tile++) {
    const dst = a + <usize>tile * <usize>K * <usize>(MR * 4);
    for (let r = 0; r < MR; r++) {
      const t = tile * MR + r;
      let d = dst + <usize>(r * 4);
      if (t >= T) {
        for (let k = 0; k < K; k++, d += MR * 4) store<f32>(d, 0);
        continue;
      }
      let s = x + <usize>t * <usize>K * 4;
      for (let k = 0; k < K; k++, d += MR * 4, s += 4) store<f32>(d, load<f32>(s));
    }
  }
}

/** Rows r0..r3 at k..k+3 (four vectors) stored transposed: d gets k's four values, d + 32 the next k's, … */
function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, d: usize): void {
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<i64>(t0, t1, 0, 2));
  v128.store(d, v128.shuffle<i64>(t0, t1, 1, 3), NR * 4);
  v128.store(d, v128.shuffle<i64>(t2, t3, 0, 2), 2 * NR * 4);
  v128.store(d, v128.shuffle<i64>(t2, t3, 1, 3), 3 * NR * 4);
}

/**
 * Where column j (0…7) of a panel sits among the eight 16-bit values of one k:
 * c0 c4 c1 c5 c2 c6 c3 c7, so one 128-bit load splits into columns 0–3 (the
 * low halves of its 32-bit lanes) and 4–7 (the high halves) in one operation each.
 */
function slot16(j: i32): i32 {
  return j < 4 ? 2 * j : 2 * (j - 4) + 1;
}

/**
 * Packs one block of 8 weight rows [8, K] (contiguous, row-major, at `block`) in
 * place into a panel, k-major: F32 as [K][8]; BF16 and F16 as [K][8] in slot16
 * order. Done once per matrix (load time); tmp holds a copy of the block.
 */
export function packInPlace(block: usize, dtype: i32, K: i32, tmp: usize): void {
  const esize: usize = dtype == F32 ? 4 : 2;
  memory.copy(tmp, block, <usize>(NR * K) * esize);
  if (dtype == F32) {
    const K4 = K & ~3;
    const row = <usize>K * 4;
    for (let half = 0; half < 2; half++) {
      const src = tmp + <usize>(half * 4) * row;
      let d = block + <usize>(half * 16);
      for (let k = 0; k < K4; k += 4, d += 4 * NR * 4) {
        const o = src + <usize>k * 4;
        storeTransposed(v128.load(o), v128.load(o + row), v128.load(o + 2 * row), v128.load(o + 3 * row), d);
      }
    }
    for (let k = K4; k < K; k++)
      for (let j = 0; j < NR; j++)
        store<f32>(block + (<usize>k * NR + <usize>j) * 4, load<f32>(tmp + (<usize>j * <usize>K + <usize>k) * 4));
    return;
  }
  for (let j = 0; j < NR; j++) {
    const src = tmp + <usize>j * <usize>K * 2;
    let d = block + <usize>slot16(j) * 2;
    for (let k = 0; k < K; k++, d += NR * 2) store<u16>(d, load<u16>(src + <usize>k * 2));
  }
}

/** IEEE half → float32, exact (subnormals, infinities, NaN payloads), four lanes (u16 in i32 lanes) at once. */
function halfToFloat4(h: v128): v128 {
  const m = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  // A normal or subnormal half is m read as a float32 times 2^112 (exact: no rounding).
  let f = f32x4.mul(m, f32x4.splat(5.192296858534828e33));
  const special = i32x4.eq(v128.and(h, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  f = v128.bitselect(v128.or(m, i32x4.splat(0x7f800000)), f, special);
  return v128.or(f, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

/**
 * Packed 16-bit panels (panels × K × 8 values in slot16 order) → float32
 * panels [K][8]: BF16 by a shift (columns 0–3) and a mask (4–7), F16 exactly.
 */
export function widenPanels(src: usize, dtype: i32, panels: i32, K: i32, dst: usize): void {
  const end = src + <usize>panels * <usize>K * (NR * 2);
  if (dtype == BF16) {
    const high = i32x4.splat(0xffff0000);
    for (; src < end; src += 16, dst += 32) {
      const v = v128.load(src);
      v128.store(dst, i32x4.shl(v, 16));
      v128.store(dst, v128.and(v, high), 16);
    }
    return;
  }
  const low = i32x4.splat(0xffff);
  for (; src < end; src += 16, dst += 32) {
    const v = v128.load(src);
    v128.store(dst, halfToFloat4(v128.and(v, low)));
    v128.store(dst, halfToFloat4(i32x4.shr_u(v, 16)), 16);
  }
}

/**
 * Writes a tile's valid rows and columns (+ bias) to y with leading dimension
 * ldy; the tile is 6 rows of two vectors at tmp (row r at tmp + 32r).
 */
function storePartial(tmp: usize, rows: i32, cols: i32, y: usize, ldy: i32, bias: usize): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let v = load<f32>(tmp + <usize>(r * 32 + c * 4));
      if (bias) v += load<f32>(bias + <usize>(c * 4));
      store<f32>(y + (<usize>r * <usize>ldy + <usize>c) * 4, v);
    }
}

/** One 6×8 tile over the whole K: a = tile [K][6], b = panel [K][8]. */
function tile6x8(a: usize, K: i32, b: usize, y: usize, ldy: i32, rows: i32, cols: i32, bias: usize, tmp: usize): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0),
    c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0),
    c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0),
    c41 = f32x4.splat(0),
    c50 = f32x4.splat(0),
    c51 = f32x4.splat(0);
  const end = a + <usize>K * (MR * 4);
  while (a < end) {
    const b0 = v128.load(b),
      b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00);
    c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10);
    c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20);
    c21 = madd(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = madd(s, b0, c30);
    c31 = madd(s, b1, c31);
    s = v128.load32_splat(a, 16);
    c40 = madd(s, b0, c40);
    c41 = madd(s, b1, c41);
    s = v128.load32_splat(a, 20);
    c50 = madd(s, b0, c50);
    c51 = madd(s, b1, c51);
    a += MR * 4;
    b += NR * 4;
  }
  if (rows == MR && cols == NR) {
    if (bias) {
      const bb0 = v128.load(bias),
        bb1 = v128.load(bias, 16);
      c00 = f32x4.add(c00, bb0);
      c01 = f32x4.add(c01, bb1);
      c10 = f32x4.add(c10, bb0);
      c11 = f32x4.add(c11, bb1);
      c20 = f32x4.add(c20, bb0);
      c21 = f32x4.add(c21, bb1);
      c30 = f32x4.add(c30, bb0);
      c31 = f32x4.add(c31, bb1);
      c40 = f32x4.add(c40, bb0);
      c41 = f32x4.add(c41, bb1);
      c50 = f32x4.add(c50, bb0);
      c51 = f32x4.add(c51, bb1);
    }
    const ld = <usize>ldy * 4;
    v128.store(y, c00);
    v128.store(y, c01, 16);
    y += ld;
    v128.store(y, c10);
    v128.store(y, c11, 16);
    y += ld;
    v128.store(y, c20);
    v128.store(y, c21, 16);
    y += ld;
    v128.store(y, c30);
    v128.store(y, c31, 16);
    y += ld;
    v128.store(y, c40);
    v128.store(y, c41, 16);
    y += ld;
    v128.store(y, c50);
    v128.store(y, c51, 16);
    return;
  }
  v128.store(tmp, c00);
  v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32);
  v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64);
  v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96);
  v128.store(tmp, c31, 112);
  v128.store(tmp, c40, 128);
  v128.store(tmp, c41, 144);
  v128.store(tmp, c50, 160);
  v128.store(tmp, c51, 176);
  storePartial(tmp, rows, cols, y, ldy, bias);
}

/**
 * One row against four panels (32 columns) at once: eight independent
 * accumulators keep the adders busy where a single 1×8 tile would wait on
 * its two dependency chains. Same per-output order as tile6x8.
 */
function row1x32(x: usize, K: i32, b: usize, y: usize, bias: usize): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0),
    c2 = f32x4.splat(0),
    c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0),
    c5 = f32x4.splat(0),
    c6 = f32x4.splat(0),
    c7 = f32x4.splat(0);
  const ps = <usize>K * (NR * 4);
  const end = x + <usize>K * 4;
  while (x < end) {
    const s = v128.load32_splat(x);
    c0 = madd(s, v128.load(b), c0);
    c1 = madd(s, v128.load(b, 16), c1);
    c2 = madd(s, v128.load(b + ps), c2);
    c3 = madd(s, v128.load(b + ps, 16), c3);
    c4 = madd(s, v128.load(b + 2 * ps), c4);
    c5 = madd(s, v128.load(b + 2 * ps, 16), c5);
    c6 = madd(s, v128.load(b + 3 * ps), c6);
    c7 = madd(s, v128.load(b + 3 * ps, 16), c7);
    x += 4;
    b += NR * 4;
  }
  if (bias) {
    c0 = f32x4.add(c0, v128.load(bias));
    c1 = f32x4.add(c1, v128.load(bias, 16));
    c2 = f32x4.add(c2, v128.load(bias, 32));
    c3 = f32x4.add(c3, v128.load(bias, 48));
    c4 = f32x4.add(c4, v128.load(bias, 64));
    c5 = f32x4.add(c5, v128.load(bias, 80));
    c6 = f32x4.add(c6, v128.load(bias, 96));
    c7 = f32x4.add(c7, v128.load(bias, 112));
  }
  v128.store(y, c0);
  v128.store(y, c1, 16);
  v128.store(y, c2, 32);
  v128.store(y, c3, 48);
  v128.store(y, c4, 64);
  v128.store(y, c5, 80);
  v128.store(y, c6, 96);
  v128.store(y, c7, 112);
}

/** One row against one panel, `cols` ≤ 8 valid columns (the tail of row1x32). */
function row1x8(x: usize, K: i32, b: usize, y: usize, cols: i32, bias: usize, tmp: usize): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0);
  const end = x + <usize>K * 4;
  while (x < end) {
    const s = v128.load32_splat(x);
    c0 = madd(s, v128.load(b), c0);
    c1 = madd(s, v128.load(b, 16), c1);
    x += 4;
    b += NR * 4;
  }
  v128.store(tmp, c0);
  v128.store(tmp, c1, 16);
  storePartial(tmp, 1, cols, y, 0, bias);
}

/** BF16 panel k-row (8 values in slot16 order) → columns 0–3 as float32. */
function bf16Low(v: v128): v128 {
  return i32x4.shl(v, 16);
}

/** BF16 panel k-row → columns 4–7 as float32. */
function bf16High(v: v128): v128 {
  return v128.and(v, i32x4.splat(0xffff0000));
}

/**
 * row1x32 reading BF16 panels as they are stored, widened in registers: one
 * row streams the weights once, so a separate widening pass would only add
 * traffic. Same values, same order as row1x32 on widened panels.
 */
function row1x32bf16(x: usize, K: i32, b: usize, y: usize, bias: usize): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0),
    c2 = f32x4.splat(0),
    c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0),
    c5 = f32x4.splat(0),
    c6 = f32x4.splat(0),
    c7 = f32x4.splat(0);
  const ps = <usize>K * (NR * 2);
  const end = x + <usize>K * 4;
  while (x < end) {
    const s = v128.load32_splat(x);
    const v0 = v128.load(b),
      v1 = v128.load(b + ps),
      v2 = v128.load(b + 2 * ps),
      v3 = v128.load(b + 3 * ps);
    c0 = madd(s, bf16Low(v0), c0);
    c1 = madd(s, bf16High(v0), c1);
    c2 = madd(s, bf16Low(v1), c2);
    c3 = madd(s, bf16High(v1), c3);
    c4 = madd(s, bf16Low(v2), c4);
    c5 = madd(s, bf16High(v2), c5);
    c6 = madd(s, bf16Low(v3), c6);
    c7 = madd(s, bf16High(v3), c7);
    x += 4;
    b += NR * 2;
  }
  if (bias) {
    c0 = f32x4.add(c0, v128.load(bias));
    c1 = f32x4.add(c1, v128.load(bias, 16));
    c2 = f32x4.add(c2, v128.load(bias, 32));
    c3 = f32x4.add(c3, v128.load(bias, 48));
    c4 = f32x4.add(c4, v128.load(bias, 64));
    c5 = f32x4.add(c5, v128.load(bias, 80));
    c6 = f32x4.add(c6, v128.load(bias, 96));
    c7 = f32x4.add(c7, v128.load(bias, 112));
  }
  v128.store(y, c0);
  v128.store(y, c1, 16);
  v128.store(y, c2, 32);
  v128.store(y, c3, 48);
  v128.store(y, c4, 64);
  v128.store(y, c5, 80);
  v128.store(y, c6, 96);
  v128.store(y, c7, 112);
}

/** One row against one BF16 panel, `cols` ≤ 8 valid columns. */
function row1x8bf16(x: usize, K: i32, b: usize, y: usize, cols: i32, bias: usize, tmp: usize): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0);
  const end = x + <usize>K * 4;
  while (x < end) {
    const s = v128.load32_splat(x);
    const v = v128.load(b);
    c0 = madd(s, bf16Low(v), c0);
    c1 = madd(s, bf16High(v), c1);
    x += 4;
    b += NR * 2;
  }
  v128.store(tmp, c0);
  v128.store(tmp, c1, 16);
  storePartial(tmp, 1, cols, y, 0, bias);
}

/** Rows of A tiles handled together, so a group of tiles stays in L2 while every panel of the block passes. */
const TILES_PER_GROUP: i32 = 8;

/**
 * y[t, j] for t < T, j < cols (y and bias already offset to the block's first
 * column; bias 0 = none): the block's panels at b against x.
 * Few rows (T < 6): each row of x [T, K] directly, four panels at a time;
 * `bf16`: the panels are BF16 as stored (else float32). Otherwise: the A tiles
 * at a, in groups, against every (float32) panel.
 */
export function gemmBlock(
  x: usize,
  a: usize,
  T: i32,
  K: i32,
  b: usize,
  bf16: bool,
  cols: i32,
  y: usize,
  ldy: i32,
  bias: usize,
  tmp: usize,
): void {
  const panels = (cols + NR - 1) / NR;
  if (T < MR) {
    const panelBytes = <usize>K * (NR * (bf16 ? 2 : 4));
    for (let t = 0; t < T; t++) {
      const xr = x + <usize>t * <usize>K * 4;
      const yr = y + <usize>t * <usize>ldy * 4;
      let p = 0;
      for (; p + 4 <= panels && (p + 4) * NR <= cols; p += 4) {
        const bp = b + <usize>p * panelBytes,
          yp = yr + <usize>(p * NR * 4),
          biasP = bias ? bias + <usize>(p * NR * 4) : 0;
        if (bf16) row1x32bf16(xr, K, bp, yp, biasP);
        else row1x32(xr, K, bp, yp, biasP);
      }
      for (; p < panels; p++) {
        const bp = b + <usize>p * panelBytes,
          yp = yr + <usize>(p * NR * 4),
          pc = min(NR, cols - p * NR),
          biasP = bias ? bias + <usize>(p * NR * 4) : 0;
        if (bf16) row1x8bf16(xr, K, bp, yp, pc, biasP, tmp);
        else row1x8(xr, K, bp, yp, pc, biasP, tmp);
      }
    }
    return;
  }
  const panelBytes = <usize>K * (NR * 4);
  const tiles = (T + MR - 1) / MR;
  const tileBytes = <usize>K * (MR * 4);
  for (let g = 0; g < tiles; g += TILES_PER_GROUP) {
    const gEnd = min(tiles, g + TILES_PER_GROUP);
    for (let p = 0; p < panels; p++) {
      const pc = min(NR, cols - p * NR);
      const bp = b + <usize>p * panelBytes;
      const biasP = bias ? bias + <usize>(p * NR * 4) : 0;
      for (let tile = g; tile < gEnd; tile++) {
        const rows = min(MR, T - tile * MR);
        const yt = y + (<usize>(tile * MR) * <usize>ldy + <usize>(p * NR)) * 4;
        tile6x8(a + <usize>tile * tileBytes, K, bp, yt, ldy, rows, pc, biasP, tmp);
      }
    }
  }
}

/**
 * For the benchmark only: the machine's 128-bit SIMD peak, from a register-only
 * loop of 12 independent chains c = c·m + k, 96 flops an iteration. Meaningful
 * in the relaxed build, where each step is one fused multiply-add (enough
 * chains to fill both FMA pipes); in the plain build each chain waits on a
 * multiply then an add. Returns a sum so nothing is optimised away.
 */
export function simdPeak(iters: i32): f32 {
  const m = f32x4.splat(0.999),
    k = f32x4.splat(0.001);
  let c0 = f32x4.splat(0.1),
    c1 = f32x4.splat(0.2),
    c2 = f32x4.splat(0.3),
    c3 = f32x4.splat(0.4);
  let c4 = f32x4.splat(0.5),
    c5 = f32x4.splat(0.6),
    c6 = f32x4.splat(0.7),
    c7 = f32x4.splat(0.8);
  let c8 = f32x4.splat(0.9),
    c9 = f32x4.splat(1.0),
    c10 = f32x4.splat(1.1),
    c11 = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    c0 = madd(c0, m, k);
    c1 = madd(c1, m, k);
    c2 = madd(c2, m, k);
    c3 = madd(c3, m, k);
    c4 = madd(c4, m, k);
    c5 = madd(c5, m, k);
    c6 = madd(c6, m, k);
    c7 = madd(c7, m, k);
    c8 = madd(c8, m, k);
    c9 = madd(c9, m, k);
    c10 = madd(c10, m, k);
    c11 = madd(c11, m, k);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
