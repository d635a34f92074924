/**
 * The inference path for real checkpoints: float32, no autograd tape, a KV
 * cache for generation. Conventions are transformers' own: pre-norm blocks,
 * RoPE by rotate_half (pairs i and i + d/2) with Llama 3 frequency scaling,
 * grouped-query attention (query head h reads K/V head ⌊h·kv/heads⌋),
 * Mistral's sliding window, Qwen3's per-head RMSNorm on q and k before RoPE,
 * GPT-2's LayerNorm, biases and tanh GELU. The training engine (F64, taped)
 * stays as it is; a test proves the two agree on a tiny family written out
 * in Hugging Face layout.
 */
import type { HfSpec } from './spec.js';
import { HookSite } from '../../engine/site.js';
import type { RunState } from '../../engine/types.js';
import { causalAttention } from './attention.js';
import type { HfWeights, LayerWeights } from './weights.js';

/** Σ_i x[xo + i] · W[wo + i], two accumulators. */
function dot(x: Float32Array, xo: number, W: Float32Array, wo: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += x[xo + i]! * W[wo + i]!;
    s1 += x[xo + i + 1]! * W[wo + i + 1]!;
  }
  if (i < n) s0 += x[xo + i]! * W[wo + i]!;
  return s0 + s1;
}

/**
 * y[t] = W·x[t] + b for T rows; W is [out, in]. Blocks of 4 outputs × 4 rows
 * keep 16 sums in registers, so each value loaded from W or x is used four
 * times (the plain loop used each once); the edges fall back to single dots.
 */
export function linear(
  x: Float32Array,
  T: number,
  inDim: number,
  W: Float32Array,
  outDim: number,
  bias: Float32Array | null,
): Float32Array {
  const y = new Float32Array(T * outDim);
  const O4 = outDim - (outDim % 4),
    T4 = T - (T % 4);
  for (let o = 0; o < O4; o += 4) {
    const w0 = o * inDim,
      w1 = w0 + inDim,
      w2 = w1 + inDim,
      w3 = w2 + inDim;
    for (let t = 0; t < T4; t += 4) {
      const x0 = t * inDim,
        x1 = x0 + inDim,
        x2 = x1 + inDim,
        x3 = x2 + inDim;
      let a00 = 0,
        a01 = 0,
        a02 = 0,
        a03 = 0;
      let a10 = 0,
        a11 = 0,
        a12 = 0,
        a13 = 0;
      let a20 = 0,
        a21 = 0,
        a22 = 0,
        a23 = 0;
      let a30 = 0,
        a31 = 0,
        a32 = 0,
        a33 = 0;
      for (let i = 0; i < inDim; i++) {
        const v0 = x[x0 + i]!,
          v1 = x[x1 + i]!,
          v2 = x[x2 + i]!,
          v3 = x[x3 + i]!;
        const k0 = W[w0 + i]!,
          k1 = W[w1 + i]!,
          k2 = W[w2 + i]!,
          k3 = W[w3 + i]!;
        a00 += v0 * k0;
        a01 += v0 * k1;
        a02 += v0 * k2;
        a03 += v0 * k3;
        a10 += v1 * k0;
        a11 += v1 * k1;
        a12 += v1 * k2;
        a13 += v1 * k3;
        a20 += v2 * k0;
        a21 += v2 * k1;
        a22 += v2 * k2;
        a23 += v2 * k3;
        a30 += v3 * k0;
        a31 += v3 * k1;
        a32 += v3 * k2;
        a33 += v3 * k3;
      }
      const b0 = bias ? bias[o]! : 0,
        b1 = bias ? bias[o + 1]! : 0,
        b2 = bias ? bias[o + 2]! : 0,
        b3 = bias ? bias[o + 3]! : 0;
      let r = t * outDim + o;
      y[r] = a00 + b0;
      y[r + 1] = a01 + b1;
      y[r + 2] = a02 + b2;
      y[r + 3] = a03 + b3;
      r += outDim;
      y[r] = a10 + b0;
      y[r + 1] = a11 + b1;
      y[r + 2] = a12 + b2;
      y[r + 3] = a13 + b3;
      r += outDim;
      y[r] = a20 + b0;
      y[r + 1] = a21 + b1;
      y[r + 2] = a22 + b2;
      y[r + 3] = a23 + b3;
      r += outDim;
      y[r] = a30 + b0;
      y[r + 1] = a31 + b1;
      y[r + 2] = a32 + b2;
      y[r + 3] = a33 + b3;
    }
  }
  // Edges: the last T % 4 rows for every output, and the last outDim % 4 outputs for every row.
  for (let o = 0; o < outDim; o++) {
    const b = bias ? bias[o]! : 0;
    for (let t = o < O4 ? T4 : 0; t < T; t++) y[t * outDim + o] = dot(x, t * inDim, W, o * inDim, inDim) + b;
  }
  return y;
}

/**
 * A norm at hook point `at` ("blocks.0.ln1."): each row of width C centred
 * (LayerNorm) and divided by its scale, shown to the hooks as hook_scale
 * [T, 1] (when one wants it) and hook_normalized, then the learned weight and
 * bias applied. A replaced scale or normalised stream takes effect.
 */
function norm(
  site: HookSite,
  at: string,
  x: Float32Array,
  T: number,
  C: number,
  kind: 'layernorm' | 'rmsnorm',
  eps: number,
  w: Float32Array,
  b: Float32Array | null,
): Float32Array {
  const y = new Float32Array(T * C);
  const mean = new Float64Array(T),
    scale = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const r = t * C;
    let m = 0;
    if (kind === 'layernorm') {
      for (let i = 0; i < C; i++) m += x[r + i]!;
      m /= C;
    }
    let sq = 0;
    for (let i = 0; i < C; i++) {
      const d = x[r + i]! - m;
      sq += d * d;
    }
    mean[t] = m;
    scale[t] = Math.sqrt(sq / C + eps);
  }
  if (site.wants(at + 'hook_scale')) {
    const s = Float32Array.from(scale);
    site.emit(at + 'hook_scale', s, [T, 1]);
    // Only a changed scale is taken back: reading leaves the float64 values as they were.
    for (let t = 0; t < T; t++) if (s[t] !== Math.fround(scale[t]!)) scale[t] = s[t]!;
  }
  for (let t = 0; t < T; t++) {
    const r = t * C,
      inv = 1 / scale[t]!,
      m = mean[t]!;
    for (let i = 0; i < C; i++) y[r + i] = (x[r + i]! - m) * inv;
  }
  site.emit(at + 'hook_normalized', y, [T, C]);
  for (let t = 0; t < T; t++) for (let i = 0; i < C; i++) y[t * C + i] = y[t * C + i]! * w[i]! + (b ? b[i]! : 0);
  return y;
}

/** Inverse frequencies θ^(−2i/d), with Llama 3's scaling where the config asks for it. */
export function ropeFrequencies(s: HfSpec): Float64Array {
  const half = s.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / s.ropeTheta ** ((2 * i) / s.headDim);
  const r = s.ropeScaling;
  if (!r) return inv;
  const lowWavelen = r.originalContext / r.lowFreqFactor;
  const highWavelen = r.originalContext / r.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i]!;
    if (wavelen > lowWavelen) inv[i] = inv[i]! / r.factor;
    else if (wavelen >= highWavelen) {
      const smooth = (r.originalContext / wavelen - r.lowFreqFactor) / (r.highFreqFactor - r.lowFreqFactor);
      inv[i] = (1 - smooth) * (inv[i]! / r.factor) + smooth * inv[i]!;
    }
  }
  return inv;
}

/** Rotates each head's vector at positions start.. by rotate_half: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin). */
export function rope(x: Float32Array, T: number, heads: number, d: number, start: number, inv: Float64Array): void {
  const half = d / 2;
  for (let t = 0; t < T; t++)
    for (let i = 0; i < half; i++) {
      const angle = (start + t) * inv[i]!;
      const cos = Math.cos(angle),
        sin = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const p = (t * heads + h) * d + i;
        const x1 = x[p]!,
          x2 = x[p + half]!;
        x[p] = x1 * cos - x2 * sin;
        x[p + half] = x2 * cos + x1 * sin;
      }
    }
}

/** Per-head RMSNorm of q or k in place (Qwen3's QK-norm). */
function headNorm(x: Float32Array, rows: number, d: number, w: Float32Array, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const p = r * d;
    let sq = 0;
    for (let i = 0; i < d; i++) sq += x[p + i]! * x[p + i]!;
    const inv = 1 / Math.sqrt(sq / d + eps);
    for (let i = 0; i < d; i++) x[p + i] = x[p + i]! * inv * w[i]!;
  }
}

const GELU_C = Math.sqrt(2 / Math.PI);
const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
const silu = (x: number) => x / (1 + Math.exp(-x));

/** Keys and values of every position seen so far, per layer. */
export class KvCache implements RunState {
  readonly k: Float32Array[];
  readonly v: Float32Array[];
  length = 0;
  constructor(
    readonly spec: HfSpec,
    readonly capacity: number,
  ) {
    const width = spec.kvHeads * spec.headDim;
    this.k = Array.from({ length: spec.layers }, () => new Float32Array(capacity * width));
    this.v = Array.from({ length: spec.layers }, () => new Float32Array(capacity * width));
  }
}

/** A loaded checkpoint, runnable. */
export class HfModel {
  private readonly inv: Float64Array | null;
  constructor(
    readonly spec: HfSpec,
    readonly weights: HfWeights,
  ) {
    this.inv = spec.positions === 'rope' ? ropeFrequencies(spec) : null;
  }

  newCache(capacity = this.spec.context): KvCache {
    return new KvCache(this.spec, capacity);
  }

  /**
   * Runs new tokens after what the cache holds, every activation through its
   * hook point on `site`; logits of every new position [T, vocab], or of the
   * last one [1, vocab].
   */
  forward(ids: readonly number[], cache: KvCache, site: HookSite, rows: 'all' | 'last'): Float32Array {
    const s = this.spec,
      W = this.weights,
      C = s.hidden,
      T = ids.length,
      start = cache.length;
    if (start + T > cache.capacity)
      throw new Error(`HfModel.forward: ${start + T} positions, the cache holds ${cache.capacity}`);
    const x = new Float32Array(T * C);
    for (let t = 0; t < T; t++) x.set(W.embed.subarray(ids[t]! * C, ids[t]! * C + C), t * C);
    site.emit('hook_embed', x, [T, C]);
    if (W.positions) {
      const pos = W.positions.slice(start * C, (start + T) * C);
      site.emit('hook_pos_embed', pos, [T, C]);
      for (let i = 0; i < x.length; i++) x[i]! += pos[i]!;
    }
    for (let l = 0; l < s.layers; l++) {
      const L = W.layers[l]!,
        b = `blocks.${l}.`;
      site.emit(`${b}hook_resid_pre`, x, [T, C]);
      const h = norm(site, `${b}ln1.`, x, T, C, s.norm, s.eps, L.norm1, L.norm1Bias);
      const a = this.attend(site, b, h, T, l, L, cache, start);
      site.emit(`${b}hook_attn_out`, a, [T, C]);
      for (let i = 0; i < x.length; i++) x[i]! += a[i]!;
      site.emit(`${b}hook_resid_mid`, x, [T, C]);
      const h2 = norm(site, `${b}ln2.`, x, T, C, s.norm, s.eps, L.norm2, L.norm2Bias);
      const m = this.mlp(site, b, h2, T, L);
      site.emit(`${b}hook_mlp_out`, m, [T, C]);
      for (let i = 0; i < x.length; i++) x[i]! += m[i]!;
      site.emit(`${b}hook_resid_post`, x, [T, C]);
    }
    cache.length = start + T;
    const n = rows === 'all' ? T : 1;
    const logits = this.unembed(x.subarray((T - n) * C), n, site);
    site.emit('hook_logits', logits, [n, s.vocab]);
    return logits;
  }

  /** Any residual stream [rows, hidden] read out as logits the way the last layer's is: final norm, then the head (the logit lens). */
  unembed(x: Float32Array, rows: number, site: HookSite = HookSite.NONE): Float32Array {
    const s = this.spec,
      W = this.weights;
    const normed = norm(site, 'ln_final.', x, rows, s.hidden, s.norm, s.eps, W.finalNorm, W.finalNormBias);
    return linear(normed, rows, s.hidden, W.lmHead, s.vocab, null);
  }

  /** Self-attention of layer l: q, k, v (QK-norm, RoPE), the new keys and values into the cache, every head, W_o. */
  private attend(
    site: HookSite,
    b: string,
    h: Float32Array,
    T: number,
    l: number,
    L: LayerWeights,
    cache: KvCache,
    start: number,
  ): Float32Array {
    const s = this.spec,
      C = s.hidden,
      d = s.headDim,
      H = s.heads,
      KV = s.kvHeads,
      kvW = KV * d;
    const q = linear(h, T, C, L.q, H * d, L.qBias);
    const k = linear(h, T, C, L.k, kvW, L.kBias);
    const v = linear(h, T, C, L.v, kvW, L.vBias);
    site.emit(`${b}attn.hook_q`, q, [T, H, d]);
    site.emit(`${b}attn.hook_k`, k, [T, KV, d]);
    site.emit(`${b}attn.hook_v`, v, [T, KV, d]);
    if (L.qNorm && L.kNorm) {
      headNorm(q, T * H, d, L.qNorm, s.eps);
      headNorm(k, T * KV, d, L.kNorm, s.eps);
    }
    if (this.inv) {
      rope(q, T, H, d, start, this.inv);
      rope(k, T, KV, d, start, this.inv);
      site.emit(`${b}attn.hook_rot_q`, q, [T, H, d]);
      site.emit(`${b}attn.hook_rot_k`, k, [T, KV, d]);
    }
    cache.k[l]!.set(k, start * kvW);
    cache.v[l]!.set(v, start * kvW);
    const out = causalAttention(site, b, q, cache.k[l]!, cache.v[l]!, {
      T,
      start,
      heads: H,
      kvHeads: KV,
      d,
      window: s.slidingWindow,
    });
    site.emit(`${b}attn.hook_z`, out, [T, H, d]);
    return linear(out, T, H * d, L.o, C, L.oBias);
  }

  /** The MLP: GELU on the up projection, or SiLU(gate) ⊙ up; then down. */
  private mlp(site: HookSite, b: string, h: Float32Array, T: number, L: LayerWeights): Float32Array {
    const s = this.spec,
      C = s.hidden,
      F = s.intermediate;
    let post: Float32Array;
    if (L.gate) {
      const gate = linear(h, T, C, L.gate, F, null);
      site.emit(`${b}mlp.hook_pre`, gate, [T, F]);
      post = linear(h, T, C, L.up, F, L.upBias);
      site.emit(`${b}mlp.hook_pre_linear`, post, [T, F]);
      for (let i = 0; i < post.length; i++) post[i] = silu(gate[i]!) * post[i]!;
    } else {
      post = linear(h, T, C, L.up, F, L.upBias);
      site.emit(`${b}mlp.hook_pre`, post, [T, F]);
      for (let i = 0; i < post.length; i++) post[i] = gelu(post[i]!);
    }
    site.emit(`${b}mlp.hook_post`, post, [T, F]);
    return linear(post, T, F, L.down, C, L.downBias);
  }
}
