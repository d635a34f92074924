/**
 * The inference path for real checkpoints: float32 activations, weights in
 * their stored precision, no autograd tape, a KV cache for generation, every
 * matrix product, norm, activation, RoPE and attention on src/compute
 * (WebAssembly SIMD on every core). Conventions are transformers' own:
 * pre-norm blocks, in sequence or in parallel (GPT-NeoX: x + attn(ln1(x)) +
 * mlp(ln2(x))), RoPE by rotate_half (pairs i and i + r/2) over all or the first
 * r dims of a head, with Llama 3 frequency scaling, grouped-query attention
 * (query head h reads K/V head ⌊h·kv/heads⌋), Mistral's sliding window, Qwen3's
 * per-head RMSNorm on q and k before RoPE, Gemma's (1 + w) RMSNorm and √hidden
 * embedding scale, LayerNorm, biases, GELU (exact or tanh), SiLU and gated
 * MLPs. The training engine (F64, taped) stays as it is; tests prove the two
 * agree on every family written out in Hugging Face layout.
 *
 * One forward runs B variants of the same tokens at once (batch.ts): their
 * rows stacked, each with its own hooks and K/V cache.
 */
import type { Compute } from '../../compute/index.js';
import type { LogitRows, RunState } from '../../engine/types.js';
import { causalAttention } from './attention.js';
import { Sites } from './batch.js';
import { addInto, embedRows, headNorm, normalize, ropeFrequencies } from './kernels.js';
import type { HfSpec } from './spec.js';
import type { HfWeights, LayerWeights, NormWeights } from './weights.js';

export { linear, rope, ropeFrequencies } from './kernels.js';

/**
 * Where a pass that wants no logits may end: after block `layer`, or after its
 * attention (hook_attn_out) when nothing of its MLP is wanted. The stream is
 * then left unfinished: only hooks up to there see anything.
 */
export interface Stop {
  layer: number;
  attentionOnly: boolean;
}

/** Keys and values of every position seen so far, per layer, in the compute layer's memory. */
export class KvCache implements RunState {
  length = 0;
  constructor(
    readonly capacity: number,
    readonly k: Float32Array[],
    readonly v: Float32Array[],
    private readonly free: () => void,
  ) {}

  /** Gives the cache's memory back; the cache must not be used afterwards. */
  release(): void {
    this.free();
  }
}

/** A loaded checkpoint, runnable. */
export class HfModel {
  private readonly inv: Float64Array | null;
  /** Caches handed out and not yet released: released with the model. */
  private readonly live = new Set<() => void>();

  constructor(
    readonly spec: HfSpec,
    readonly weights: HfWeights,
    readonly compute: Compute,
  ) {
    this.inv = spec.positions === 'rope' ? ropeFrequencies(spec) : null;
  }

  newCache(capacity = this.spec.context): KvCache {
    return this.newCaches(1, capacity)[0]!;
  }

  /** B caches of `capacity` positions, one allocation per layer and kind shared by all (released together). */
  newCaches(B: number, capacity: number): KvCache[] {
    const s = this.spec,
      c = this.compute,
      n = Math.max(1, capacity) * s.kvHeads * s.headDim;
    const blocks = Array.from({ length: 2 * s.layers }, () => c.allocCache(B * n));
    let freed = false;
    const free = () => {
      if (freed) return;
      freed = true;
      this.live.delete(free);
      blocks.forEach((b) => c.releaseCache(b));
    };
    this.live.add(free);
    const view = (i: number, v: number) => blocks[i]!.subarray(v * n, (v + 1) * n);
    return Array.from({ length: B }, (_, v) => {
      const k = Array.from({ length: s.layers }, (_, l) => view(2 * l, v));
      const vv = Array.from({ length: s.layers }, (_, l) => view(2 * l + 1, v));
      return new KvCache(capacity, k, vv, free);
    });
  }

  /** Releases every matrix and cache of this model from the compute layer. */
  close(): void {
    for (const free of [...this.live]) free();
    for (const m of this.weights.matrices) this.compute.releaseMatrix(m);
    for (const d of this.weights.deferred) d.release();
  }

  /**
   * Runs new tokens after what the caches hold (all alike), once per variant:
   * each variant's activations through its hook site, its keys and values into
   * its cache. Logits per variant, of every new position [T, vocab], of the
   * last [1, vocab], or none (empty); `stop` ends the pass early (nothing after
   * it is wanted, no logits either).
   */
  forward(
    ids: readonly number[],
    caches: readonly KvCache[],
    S: Sites,
    rows: LogitRows,
    from?: { layer: number; resid: ArrayLike<number> },
    stop: Stop | null = null,
  ): Float32Array[] {
    const s = this.spec,
      C = s.hidden,
      T = ids.length,
      B = S.B,
      start = caches[0]!.length;
    if (caches.length !== B || caches.some((k) => k.length !== start))
      throw new Error('HfModel.forward: one cache per variant, all at the same position');
    if (start + T > caches[0]!.capacity)
      throw new Error(`HfModel.forward: ${start + T} positions, the cache holds ${caches[0]!.capacity}`);
    const x = new Float32Array(B * T * C);
    if (from) for (let v = 0; v < B; v++) x.set(from.resid, v * T * C);
    else this.embed(S, ids, start, x);
    const lastLayer = stop ? stop.layer : s.layers - 1;
    for (let l = from?.layer ?? 0; l <= lastLayer; l++)
      this.block(S, l, x, T, caches, start, stop?.layer === l && stop.attentionOnly);
    for (const k of caches) k.length = start + T;
    if (stop) return Array.from({ length: B }, () => new Float32Array(0));
    const n = rows === 'last' ? 1 : T;
    const last = new Float32Array(B * n * C);
    for (let v = 0; v < B; v++) last.set(x.subarray(((v + 1) * T - n) * C, (v + 1) * T * C), v * n * C);
    const logits = this.unembed(last, B * n, S);
    S.emit('hook_logits', logits, [n, s.vocab]);
    const kept = rows === 'none' ? 0 : n * s.vocab;
    return Array.from({ length: B }, (_, v) => logits.subarray(v * n * s.vocab, v * n * s.vocab + kept));
  }

  /** Token embeddings (scaled where the family scales them), plus learned positions where it has them, into x. */
  private embed(S: Sites, ids: readonly number[], start: number, x: Float32Array): void {
    const s = this.spec,
      W = this.weights,
      C = s.hidden,
      T = ids.length;
    const e = embedRows(ids, W.embed, s.embedScale);
    for (let v = 0; v < S.B; v++) x.set(e, v * T * C);
    S.emit('hook_embed', x, [T, C]);
    if (!W.positions) return;
    const pos = new Float32Array(x.length);
    for (let t = 0; t < T; t++) W.positions.row(start + t, pos.subarray(t * C, (t + 1) * C));
    for (let v = 1; v < S.B; v++) pos.copyWithin(v * T * C, 0, T * C);
    S.emit('hook_pos_embed', pos, [T, C]);
    addInto(x, pos);
  }

  /**
   * Any residual stream [rows, hidden] read out as logits the way the last
   * layer's is: final norm, then the head (the logit lens). With variants,
   * rows is theirs together and each sees its share.
   */
  unembed(x: Float32Array, rows: number, S: Sites = Sites.NONE): Float32Array {
    const W = this.weights;
    return this.compute.linear(this.norm(S, 'ln_final.', x, W.finalNorm), rows, W.lmHead.matrix(), W.lmHeadBias);
  }

  private norm(S: Sites, at: string, x: Float32Array, p: NormWeights): Float32Array {
    const s = this.spec;
    return normalize(this.compute, S, at, x, s.hidden, s.norm, s.eps, p, s.normOffset);
  }

  /**
   * Block l on the stacked streams x, in place: attention, then the MLP on the
   * stream attention has written to (sequential), or on the block's input
   * through the MLP's own norm (parallel) or the attention's
   * (parallel_shared_norm), the two summed as transformers sums them, (mlp + attn) + x.
   */
  private block(
    S: Sites,
    l: number,
    x: Float32Array,
    T: number,
    caches: readonly KvCache[],
    start: number,
    attentionOnly = false,
  ): void {
    const s = this.spec,
      L = this.weights.layers[l]!,
      b = `blocks.${l}.`,
      shape = [T, s.hidden];
    S.emit(`${b}hook_resid_pre`, x, shape);
    const h = this.norm(S, `${b}ln1.`, x, L.norm1);
    const a = this.attend(S, b, h, T, l, L, caches, start);
    S.emit(`${b}hook_attn_out`, a, shape);
    if (attentionOnly) return;
    if (s.block === 'sequential') {
      addInto(x, a);
      S.emit(`${b}hook_resid_mid`, x, shape);
      const m = this.mlp(S, b, this.norm(S, `${b}ln2.`, x, L.norm2!), T, L);
      S.emit(`${b}hook_mlp_out`, m, shape);
      addInto(x, m);
    } else {
      const m = this.mlp(S, b, L.norm2 ? this.norm(S, `${b}ln2.`, x, L.norm2) : h, T, L);
      S.emit(`${b}hook_mlp_out`, m, shape);
      for (let i = 0; i < x.length; i++) x[i] = Math.fround(m[i]! + a[i]!) + x[i]!;
    }
    S.emit(`${b}hook_resid_post`, x, shape);
  }

  /** Self-attention of layer l: q, k, v (QK-norm, RoPE), the new keys and values into each cache, every head, W_o. */
  private attend(
    S: Sites,
    b: string,
    h: Float32Array,
    T: number,
    l: number,
    L: LayerWeights,
    caches: readonly KvCache[],
    start: number,
  ): Float32Array {
    const s = this.spec,
      c = this.compute,
      d = s.headDim,
      H = s.heads,
      KV = s.kvHeads,
      kvW = KV * d,
      R = S.B * T;
    const q = c.linear(h, R, L.q, L.qBias);
    const k = c.linear(h, R, L.k, L.kBias);
    const v = c.linear(h, R, L.v, L.vBias);
    S.emit(`${b}attn.hook_q`, q, [T, H, d]);
    S.emit(`${b}attn.hook_k`, k, [T, KV, d]);
    S.emit(`${b}attn.hook_v`, v, [T, KV, d]);
    if (L.qNorm && L.kNorm) {
      headNorm(q, R * H, d, L.qNorm, s.eps);
      headNorm(k, R * KV, d, L.kNorm, s.eps);
    }
    if (this.inv) {
      const rope = { start, rotaryDims: s.rotaryDims, invFreq: this.inv };
      for (let u = 0; u < S.B; u++) {
        c.rope(q.subarray(u * T * H * d, (u + 1) * T * H * d), T, H, d, rope);
        c.rope(k.subarray(u * T * kvW, (u + 1) * T * kvW), T, KV, d, rope);
      }
      S.emit(`${b}attn.hook_rot_q`, q, [T, H, d]);
      S.emit(`${b}attn.hook_rot_k`, k, [T, KV, d]);
    }
    const z = new Float32Array(R * H * d);
    const shape = { T, start, heads: H, kvHeads: KV, d, window: s.slidingWindow };
    caches.forEach((cache, u) => {
      cache.k[l]!.set(k.subarray(u * T * kvW, (u + 1) * T * kvW), start * kvW);
      cache.v[l]!.set(v.subarray(u * T * kvW, (u + 1) * T * kvW), start * kvW);
      const qu = q.subarray(u * T * H * d, (u + 1) * T * H * d);
      z.set(causalAttention(c, S.list[u]!, b, qu, cache.k[l]!, cache.v[l]!, shape), u * T * H * d);
    });
    S.emit(`${b}attn.hook_z`, z, [T, H, d]);
    return c.linear(z, R, L.o, L.oBias);
  }

  /** The MLP: act(up), or act(gate) ⊙ up (SwiGLU, GeGLU); then down. */
  private mlp(S: Sites, b: string, h: Float32Array, T: number, L: LayerWeights): Float32Array {
    const s = this.spec,
      c = this.compute,
      F = s.intermediate,
      R = S.B * T;
    let post: Float32Array;
    if (L.gate) {
      post = c.linear(h, R, L.gate, null);
      S.emit(`${b}mlp.hook_pre`, post, [T, F]);
      const up = c.linear(h, R, L.up, L.upBias);
      S.emit(`${b}mlp.hook_pre_linear`, up, [T, F]);
      c.gated(post, up, s.activation);
    } else {
      post = c.linear(h, R, L.up, L.upBias);
      S.emit(`${b}mlp.hook_pre`, post, [T, F]);
      c.activation(post, s.activation);
    }
    S.emit(`${b}mlp.hook_post`, post, [T, F]);
    return c.linear(post, R, L.down, L.downBias);
  }
}
