/**
 * The other kernels of a transformer's forward pass, on float32 rows in this
 * memory. Reductions (norm statistics, softmax), RoPE's angles and GELU (erf)
 * run in float64 and round once to float32, as the previous JavaScript path
 * did; GELU (tanh) and SiLU, applied to every hidden unit of every MLP, run in
 * float32 SIMD (in float64 they took a tenth of a GPT-2 forward).
 */

/** Flags of normRows. */
const LAYERNORM: i32 = 1; // centre the row first (else RMSNorm)
const ONE_PLUS: i32 = 2; // scale by (1 + w), Gemma's stored form

/**
 * y = (x − mean) / √(var + eps) · γ + β per row of width C (LayerNorm), or
 * x / √(mean(x²) + eps) · γ (RMSNorm); γ = 0 means none (all ones), β = 0 none.
 */
export function normRows(x: usize, T: i32, C: i32, flags: i32, eps: f64, w: usize, b: usize, y: usize): void {
  for (let t = 0; t < T; t++) {
    const r = x + <usize>t * <usize>C * 4;
    const o = y + <usize>t * <usize>C * 4;
    let mean: f64 = 0;
    if (flags & LAYERNORM) {
      for (let i = 0; i < C; i++) mean += <f64>load<f32>(r + <usize>i * 4);
      mean /= C;
    }
    let sq: f64 = 0;
    for (let i = 0; i < C; i++) {
      const d = <f64>load<f32>(r + <usize>i * 4) - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / C + eps);
    for (let i = 0; i < C; i++) {
      let v = (<f64>load<f32>(r + <usize>i * 4) - mean) * inv;
      if (w) {
        const g = <f64>load<f32>(w + <usize>i * 4);
        v *= flags & ONE_PLUS ? 1 + g : g;
      }
      if (b) v += <f64>load<f32>(b + <usize>i * 4);
      store<f32>(o + <usize>i * 4, <f32>v);
    }
  }
}

/** Activation kinds (the same numbers as src/compute/ops.ts). */
const GELU_TANH: i32 = 0;
const GELU_ERF: i32 = 1;
const SILU: i32 = 2;
const RELU: i32 = 3;

const GELU_C: f64 = 0.7978845608028654; // √(2/π)
const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

/**
 * erfc(a) for a ≥ 0 in float64, accurate relative to its size (written here;
 * the same as src/compute/scalar.ts): 1 − the Maclaurin series of erf below
 * 2.5, the continued fraction of erfc above (Lentz's method), 0 past 27.
 */
export function erfcPos(a: f64): f64 {
  if (a < 2.5) {
    const x2 = a * a;
    let term = a,
      sum = a;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - TWO_OVER_SQRT_PI * sum;
  }
  if (!(a < 27)) return a != a ? a : 0;
  const tiny: f64 = 1e-300;
  let f = a,
    C = a,
    D: f64 = 0;
  for (let n = 1; n < 300; n++) {
    const an = n * 0.5;
    D = a + an * D;
    D = D == 0 ? tiny : 1 / D;
    C = a + an / C;
    if (C == 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-a * a) / (f * 1.7724538509055159);
}

/** The activations in float64 (GELU erf's path; the others as reference in tests, see scalar.ts). */
function activate(v: f64, kind: i32): f64 {
  if (kind == GELU_TANH) return 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
  // v·Φ(v), Φ(v) = erfc(−v/√2)/2: exact down the negative tail, where 1 + erf(v/√2) would cancel to 0.
  if (kind == GELU_ERF)
    return v < 0 ? 0.5 * v * erfcPos(-v * 0.7071067811865476) : 0.5 * v * (2 - erfcPos(v * 0.7071067811865476));
  if (kind == SILU) return v / (1 + Math.exp(-v));
  return v > 0 || v != v ? v : 0;
}

/**
 * e^x on four float32 lanes: x = n·ln 2 + r (|r| ≤ ln 2 / 2, ln 2 split in two
 * so n·ln 2 is exact), e^r by its Taylor polynomial to r⁷ (truncation below
 * 1e-8 relative), 2^n put in the exponent. x is clamped to [−87, 88], where
 * e^x stays a normal float; NaN stays NaN.
 */
function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88)), f32x4.splat(-87));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, f32x4.splat(2.1219444005469057e-4)));
  let p = f32x4.splat(1.0 / 5040);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** v·σ(t) = v / (1 + e^−t), four lanes. */
function timesSigmoid(v: v128, t: v128): v128 {
  return f32x4.div(v, f32x4.add(f32x4.splat(1), exp4(f32x4.neg(t))));
}

/**
 * The activation on four float32 lanes. GELU (tanh) as v·σ(2z), the same
 * function as 0.5·v·(1 + tanh z) with z = √(2/π)(v + 0.044715v³), but with no
 * cancellation in 1 + tanh; SiLU as v·σ(v); ReLU keeps NaN. Float32 throughout:
 * a few ulp from the float64 value (more down the far negative tail, where the
 * results are below 1e-8).
 */
function activate4(v: v128, kind: i32): v128 {
  if (kind == GELU_TANH) {
    const v2 = f32x4.mul(v, v);
    return timesSigmoid(
      v,
      f32x4.mul(v, f32x4.add(f32x4.splat(1.5957691216057308), f32x4.mul(v2, f32x4.splat(0.0713548162726009)))),
    );
  }
  if (kind == SILU) return timesSigmoid(v, v);
  return f32x4.max(v, f32x4.splat(0));
}

/**
 * The activation of n floats at x, into out (which may be x), times the
 * floats at up when up ≠ 0. Vectors of four; the last 1–3 values through the
 * same vector code (the lanes past n are read from the arena's rounding slack
 * and never stored). GELU (erf) runs per value in float64 (activate above).
 */
function activateRun(x: usize, up: usize, n: i32, kind: i32): void {
  if (kind == GELU_ERF) {
    for (let i = 0; i < n; i++) {
      const p = x + <usize>i * 4;
      const g = <f32>activate(<f64>load<f32>(p), kind);
      store<f32>(p, up ? g * load<f32>(up + <usize>i * 4) : g);
    }
    return;
  }
  for (let i = 0; i < n; i += 4) {
    const p = x + <usize>i * 4;
    let y = activate4(v128.load(p), kind);
    if (up) y = f32x4.mul(y, v128.load(up + <usize>i * 4));
    if (i + 4 <= n) v128.store(p, y);
    else {
      store<f32>(p, f32x4.extract_lane(y, 0));
      if (i + 1 < n) store<f32>(p + 4, f32x4.extract_lane(y, 1));
      if (i + 2 < n) store<f32>(p + 8, f32x4.extract_lane(y, 2));
    }
  }
}

/** x[i] = act(x[i]) for n values, in place. */
export function activation(x: usize, n: i32, kind: i32): void {
  activateRun(x, 0, n, kind);
}

/** gate[i] = act(gate[i]) · up[i] (SwiGLU / GeGLU), in place in gate. */
export function gated(gate: usize, up: usize, n: i32, kind: i32): void {
  activateRun(gate, up, n, kind);
}

/** x[i] += y[i] (the residual stream), four lanes at a time. */
export function addInto(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(x + o, f32x4.add(v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) store<f32>(x + <usize>i * 4, load<f32>(x + <usize>i * 4) + load<f32>(y + <usize>i * 4));
}

/**
 * RoPE by rotate_half on x [T, heads, d] in place, positions start.., on the
 * first `rot` dims of each head (partial rotary, GPT-NeoX style): pairs i and
 * i + rot/2 turned by (start + t)·inv[i]; inv holds rot/2 float64 frequencies.
 */
export function rope(x: usize, T: i32, heads: i32, d: i32, rot: i32, start: i32, inv: usize): void {
  const half = rot / 2;
  for (let t = 0; t < T; t++)
    for (let i = 0; i < half; i++) {
      const angle = <f64>(start + t) * load<f64>(inv + <usize>i * 8);
      const c = Math.cos(angle),
        s = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const p = x + (<usize>(t * heads + h) * <usize>d + <usize>i) * 4;
        const x1 = <f64>load<f32>(p),
          x2 = <f64>load<f32>(p + <usize>half * 4);
        store<f32>(p, <f32>(x1 * c - x2 * s));
        store<f32>(p + <usize>half * 4, <f32>(x2 * c + x1 * s));
      }
    }
}
