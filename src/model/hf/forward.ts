/**
 * The inference path for real checkpoints: float32, no autograd tape, a KV
 * cache for generation. Conventions are transformers' own: pre-norm blocks,
 * in sequence or in parallel (GPT-NeoX: x + attn(ln1(x)) + mlp(ln2(x))), RoPE
 * by rotate_half (pairs i and i + r/2) over all or the first r dims of a head,
 * with Llama 3 frequency scaling, grouped-query attention (query head h reads
 * K/V head ⌊h·kv/heads⌋), Mistral's sliding window, Qwen3's per-head RMSNorm
 * on q and k before RoPE, Gemma's (1 + w) RMSNorm and √hidden embedding
 * scale, LayerNorm, biases, GELU (exact or tanh), SiLU and gated MLPs. Every
 * step is a kernel call (kernels.ts). The training engine (F64, taped) stays
 * as it is; tests prove the two agree on every family written out in Hugging
 * Face layout.
 */
import type { HfSpec } from './spec.js';
import { HookSite } from '../../engine/site.js';
import type { RunState } from '../../engine/types.js';
import { causalAttention } from './attention.js';
import { activate, addInto, embedRows, headNorm, normalize, project, rope, ropeFrequencies } from './kernels.js';
import type { HfWeights, LayerWeights, NormWeights } from './weights.js';

export { linear, rope, ropeFrequencies } from './kernels.js';

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
  forward(
    ids: readonly number[],
    cache: KvCache,
    site: HookSite,
    rows: 'all' | 'last',
    from?: { layer: number; resid: ArrayLike<number> },
  ): Float32Array {
    const s = this.spec,
      W = this.weights,
      C = s.hidden,
      T = ids.length,
      start = cache.length;
    if (start + T > cache.capacity)
      throw new Error(`HfModel.forward: ${start + T} positions, the cache holds ${cache.capacity}`);
    const x = from ? Float32Array.from(from.resid) : this.embed(site, ids, start);
    for (let l = from?.layer ?? 0; l < s.layers; l++) this.block(site, l, x, T, cache, start);
    cache.length = start + T;
    const n = rows === 'all' ? T : 1;
    const logits = this.unembed(x.subarray((T - n) * C), n, site);
    site.emit('hook_logits', logits, [n, s.vocab]);
    return logits;
  }

  /** Token embeddings (scaled where the family scales them), plus learned positions where it has them. */
  private embed(site: HookSite, ids: readonly number[], start: number): Float32Array {
    const s = this.spec,
      W = this.weights,
      C = s.hidden,
      T = ids.length;
    const x = embedRows(ids, W.embed, s.embedScale);
    site.emit('hook_embed', x, [T, C]);
    if (W.positions) {
      const pos = W.positions.data.slice(start * C, (start + T) * C);
      site.emit('hook_pos_embed', pos, [T, C]);
      addInto(x, pos);
    }
    return x;
  }

  /** Any residual stream [rows, hidden] read out as logits the way the last layer's is: final norm, then the head (the logit lens). */
  unembed(x: Float32Array, rows: number, site: HookSite = HookSite.NONE): Float32Array {
    const W = this.weights;
    return project(this.norm(site, 'ln_final.', x, rows, W.finalNorm), rows, W.lmHead, W.lmHeadBias);
  }

  private norm(site: HookSite, at: string, x: Float32Array, T: number, p: NormWeights): Float32Array {
    const s = this.spec;
    return normalize(site, at, x, T, s.hidden, s.norm, s.eps, p, s.normOffset);
  }

  /**
   * Block l on the stream x, in place: attention, then the MLP on the stream
   * attention has written to (sequential), or on the block's input through
   * the MLP's own norm (parallel) or the attention's (parallel_shared_norm),
   * the two summed as transformers sums them, (mlp + attn) + x.
   */
  private block(site: HookSite, l: number, x: Float32Array, T: number, cache: KvCache, start: number): void {
    const s = this.spec,
      L = this.weights.layers[l]!,
      b = `blocks.${l}.`,
      shape = [T, s.hidden];
    site.emit(`${b}hook_resid_pre`, x, shape);
    const h = this.norm(site, `${b}ln1.`, x, T, L.norm1);
    const a = this.attend(site, b, h, T, l, L, cache, start);
    site.emit(`${b}hook_attn_out`, a, shape);
    if (s.block === 'sequential') {
      addInto(x, a);
      site.emit(`${b}hook_resid_mid`, x, shape);
      const m = this.mlp(site, b, this.norm(site, `${b}ln2.`, x, T, L.norm2!), T, L);
      site.emit(`${b}hook_mlp_out`, m, shape);
      addInto(x, m);
    } else {
      const m = this.mlp(site, b, L.norm2 ? this.norm(site, `${b}ln2.`, x, T, L.norm2) : h, T, L);
      site.emit(`${b}hook_mlp_out`, m, shape);
      for (let i = 0; i < x.length; i++) x[i] = Math.fround(m[i]! + a[i]!) + x[i]!;
    }
    site.emit(`${b}hook_resid_post`, x, shape);
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
      d = s.headDim,
      H = s.heads,
      KV = s.kvHeads,
      kvW = KV * d;
    const q = project(h, T, L.q, L.qBias);
    const k = project(h, T, L.k, L.kBias);
    const v = project(h, T, L.v, L.vBias);
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
    return project(out, T, L.o, L.oBias);
  }

  /** The MLP: act(up), or act(gate) ⊙ up (SwiGLU, GeGLU); then down. */
  private mlp(site: HookSite, b: string, h: Float32Array, T: number, L: LayerWeights): Float32Array {
    const s = this.spec,
      F = s.intermediate;
    let post: Float32Array;
    if (L.gate) {
      const gate = project(h, T, L.gate, null);
      site.emit(`${b}mlp.hook_pre`, gate, [T, F]);
      post = project(h, T, L.up, L.upBias);
      site.emit(`${b}mlp.hook_pre_linear`, post, [T, F]);
      activate(gate, s.activation);
      for (let i = 0; i < post.length; i++) post[i] = gate[i]! * post[i]!;
    } else {
      post = project(h, T, L.up, L.upBias);
      site.emit(`${b}mlp.hook_pre`, post, [T, F]);
      activate(post, s.activation);
    }
    site.emit(`${b}mlp.hook_post`, post, [T, F]);
    return project(post, T, L.down, L.downBias);
  }
}
