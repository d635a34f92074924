/**
 * The other kernels of a transformer's forward pass, on float32 rows in this
 * memory. Reductions (norm statistics, softmax) and the transcendental
 * functions run in float64 and round once to float32, as the previous
 * JavaScript path did: their cost is small beside the matrix products.
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

function activate(v: f64, kind: i32): f64 {
  if (kind == GELU_TANH) return 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
  // v·Φ(v), Φ(v) = erfc(−v/√2)/2: exact down the negative tail, where 1 + erf(v/√2) would cancel to 0.
  if (kind == GELU_ERF)
    return v < 0 ? 0.5 * v * erfcPos(-v * 0.7071067811865476) : 0.5 * v * (2 - erfcPos(v * 0.7071067811865476));
  if (kind == SILU) return v / (1 + Math.exp(-v));
  return v > 0 || v != v ? v : 0;
}

/** x[i] = act(x[i]) for n values, in place. */
export function activation(x: usize, n: i32, kind: i32): void {
  for (let i = 0; i < n; i++) {
    const p = x + <usize>i * 4;
    store<f32>(p, <f32>activate(<f64>load<f32>(p), kind));
  }
}

/** gate[i] = act(gate[i]) · up[i] (SwiGLU / GeGLU), in place in gate. */
export function gated(gate: usize, up: usize, n: i32, kind: i32): void {
  for (let i = 0; i < n; i++) {
    const p = gate + <usize>i * 4;
    const g = <f32>activate(<f64>load<f32>(p), kind);
    store<f32>(p, g * load<f32>(up + <usize>i * 4));
  }
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
