/**
 * Causal attention for the queries of one head over a K/V cache.
 * q [T, heads, d]; K, V [positions, kvHeads, d]; out [T, heads, d]. Query t sits
 * at position start + t and sees keys first..start + t, first = 0 or, with a
 * sliding window w > 0, start + t − w + 1. Scores are float32 dot products
 * times the scale, the softmax runs in float64 (max subtracted), and the
 * weighted sum of values accumulates in float32. Keys a query may not see get
 * weight exactly 0 (they are never touched).
 */

/** Σ_e a[e]·b[e] over d floats, four lanes then across. */
function dot(a: usize, b: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  let e = 0;
  for (; e + 4 <= d; e += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + <usize>e * 4), v128.load(b + <usize>e * 4)));
  let s =
    f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; e < d; e++) s += load<f32>(a + <usize>e * 4) * load<f32>(b + <usize>e * 4);
  return s;
}

/**
 * Head h of every query: out rows, and (when probs ≠ 0) the weights as float32
 * rows [T][start + T] with zeros where masked. scores: scratch of start + T f64.
 */
export function attendHead(
  q: usize,
  K: usize,
  V: usize,
  out: usize,
  T: i32,
  heads: i32,
  kvHeads: i32,
  d: i32,
  start: i32,
  window: i32,
  h: i32,
  scale: f64,
  scores: usize,
  probs: usize,
): void {
  const kvW = kvHeads * d;
  const kvOff = ((h * kvHeads) / heads) * d;
  const total = start + T;
  for (let t = 0; t < T; t++) {
    const i = start + t;
    const first = window > 0 ? max(0, i - window + 1) : 0;
    const qp = q + <usize>((t * heads + h) * d) * 4;
    let mx = -Infinity;
    for (let j = first; j <= i; j++) {
      const s = <f64>dot(qp, K + <usize>(j * kvW + kvOff) * 4, d) * scale;
      store<f64>(scores + <usize>j * 8, s);
      if (s > mx) mx = s;
    }
    let sum: f64 = 0;
    for (let j = first; j <= i; j++) {
      const e = Math.exp(load<f64>(scores + <usize>j * 8) - mx);
      store<f64>(scores + <usize>j * 8, e);
      sum += e;
    }
    const op = out + <usize>((t * heads + h) * d) * 4;
    for (let e = 0; e < d; e++) store<f32>(op + <usize>e * 4, 0);
    const pr = probs ? probs + <usize>t * <usize>total * 4 : 0;
    if (pr) for (let j = 0; j < total; j++) store<f32>(pr + <usize>j * 4, 0);
    for (let j = first; j <= i; j++) {
      const p = <f32>(load<f64>(scores + <usize>j * 8) / sum);
      if (pr) store<f32>(pr + <usize>j * 4, p);
      const vp = V + <usize>(j * kvW + kvOff) * 4;
      const ps = f32x4.splat(p);
      let e = 0;
      for (; e + 4 <= d; e += 4) {
        const o = op + <usize>e * 4;
        v128.store(o, f32x4.add(v128.load(o), f32x4.mul(ps, v128.load(vp + <usize>e * 4))));
      }
      for (; e < d; e++) store<f32>(op + <usize>e * 4, load<f32>(op + <usize>e * 4) + p * load<f32>(vp + <usize>e * 4));
    }
  }
}
