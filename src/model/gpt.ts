import { addRow, crossEntropy, gather, Graph, matmulT, Tensor, add } from '../tensor/index.js';
import { executable, type KernelPath } from '../kernels/dispatch.js';
import type { AttentionConfig, NormParams, Tap } from '../kernels/types.js';
import { HookSite } from '../engine/site.js';
import {
  alibiSlopes,
  blockTypeOf,
  isRotary,
  MICROGPT_ARCHITECTURE,
  rotaryDims,
  type Architecture,
} from './architecture.js';
import { headDim, type ModelConfig } from './config.js';
import { bindTensors, initParameters, type ModelTensors } from './params.js';

export { MICROGPT_ARCHITECTURE, type Architecture } from './architecture.js';

/**
 * A GPT assembled from the kernel registry: token embedding (scaled where the
 * family scales it, + learned positions where it has them), an optional
 * embedding norm, then per layer a block of pre-norm causal attention and a
 * pre-norm MLP — in sequence, or in parallel from the same stream — an
 * optional final norm and the output head (untied, or the embedding reused).
 * With microGPT's architecture this is exactly Karpathy's microgpt; other
 * families change only which kernels run.
 */
export class Gpt {
  private readonly kernels;
  private readonly attentionConfig: AttentionConfig;
  /** Every tensor in its place, bound once (params.ts): the forward pass builds no names and does no lookups. */
  private readonly tensors: ModelTensors;

  constructor(
    readonly config: ModelConfig,
    readonly params: Map<string, Tensor>,
    readonly architecture: Architecture = MICROGPT_ARCHITECTURE,
    path: KernelPath = 'fused',
  ) {
    const a = architecture;
    this.kernels = {
      attention: executable('attention_type', a.attention_type, path),
      activation: executable('activation', a.activation, path, a.gelu_approximation),
      norm: executable('norm_type', a.norm_type, path),
      mlp: executable('mlp_type', a.mlp_type, path),
      positions: executable('positional_encoding', a.positional_encoding, path),
      block: executable('block_type', blockTypeOf(a), path),
      embeddingScale: executable('embedding_scale', a.embedding_scale ?? 'none', path),
    };
    this.attentionConfig = {
      heads: config.nHead,
      kvHeads: config.nKvHead,
      rope: isRotary(a)
        ? { theta: a.rope_theta ?? 10000, dims: rotaryDims(headDim(config), a.rotary_fraction) }
        : undefined,
      alibi: a.positional_encoding === 'alibi' ? alibiSlopes(config.nHead) : undefined,
    };
    this.tensors = bindTensors(config, architecture, params);
  }

  static init(config: ModelConfig, seed: number, architecture: Architecture = MICROGPT_ARCHITECTURE): Gpt {
    return new Gpt(config, initParameters(config, seed, architecture), architecture);
  }

  param(name: string): Tensor {
    const p = this.params.get(name);
    if (!p) throw new Error(`Gpt: no parameter named ${name}`);
    return p;
  }

  get parameterCount(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.size;
    return n;
  }

  /**
   * Logits [T, vocab] for input ids (T ≤ block size). Every activation passes
   * its hook point (engine/hooks.ts) on `site`: training runs with none.
   */
  forward(
    g: Graph,
    ids: readonly number[],
    site: HookSite = HookSite.NONE,
    from?: { layer: number; resid: ArrayLike<number> },
  ): Tensor {
    const c = this.config,
      k = this.kernels,
      T = this.tensors,
      n = ids.length;
    if (n < 1 || n > c.blockSize) throw new Error(`Gpt.forward: ${n} tokens, block size is ${c.blockSize}`);
    const hooked = site !== HookSite.NONE;
    const tap = (prefix: string): Tap | undefined => (hooked ? prefixedTap(site, prefix) : undefined);
    const emit = (name: string, t: Tensor) => {
      if (hooked) site.emit(name, t.data, t.shape);
      return t;
    };
    const norm = (x: Tensor, p: NormParams, prefix: string) => k.norm(g, x, c.normEps, p, tap(prefix));

    let x: Tensor;
    if (from) x = new Tensor([n, c.nEmbd], Float64Array.from(from.resid));
    else {
      const embed = emit('hook_embed', k.embeddingScale(g, gather(g, T.wte, ids)));
      x = k.positions(g, embed, T.wpe, tap(''));
      if (this.architecture.embedding_norm) x = norm(x, T.embeddingNorm, 'ln_embed.');
    }
    for (let l = from?.layer ?? 0; l < c.nLayer; l++) {
      const L = T.layers[l]!,
        b = `blocks.${l}.`;
      emit(`${b}hook_resid_pre`, x);
      x = k.block(g, x, {
        norm1: (s) => norm(s, L.normAttn, `${b}ln1.`),
        norm2: (s) => norm(s, L.normMlp, `${b}ln2.`),
        attention: (h) => emit(`${b}hook_attn_out`, k.attention(g, h, L.attention, this.attentionConfig, tap(b)).out),
        mlp: (h) => emit(`${b}hook_mlp_out`, k.mlp(g, h, L.mlp, k.activation, tap(b))),
        mid: (s) => emit(`${b}hook_resid_mid`, s),
      });
      emit(`${b}hook_resid_post`, x);
    }
    return emit('hook_logits', this.unembed(g, x, tap('ln_final.')));
  }

  /** Logits from the (final-normed) residual stream: the untied head or the embedding, plus its bias. */
  private head(g: Graph, x: Tensor): Tensor {
    const T = this.tensors;
    const logits = matmulT(g, x, this.architecture.tied_embeddings ? T.wte : T.lmHead!);
    return T.lmHeadBias ? addRow(g, logits, T.lmHeadBias) : logits;
  }

  /**
   * Any residual stream [T, n_embd] read out as logits, the way the last layer's
   * is: the final norm where the family has one, then the output head. The
   * logit lens applies it after every layer.
   */
  unembed(g: Graph, x: Tensor, tap?: Tap): Tensor {
    const a = this.architecture;
    return this.head(g, a.final_norm ? this.kernels.norm(g, x, this.config.normEps, this.tensors.finalNorm, tap) : x);
  }

  /** Mean cross-entropy of a document [BOS, chars…, BOS], cut to the block size as microgpt does. */
  loss(g: Graph, tokens: readonly number[]): Tensor {
    const n = Math.min(this.config.blockSize, tokens.length - 1);
    return crossEntropy(g, this.forward(g, tokens.slice(0, n)), tokens.slice(1, n + 1));
  }
}

/** A kernel's tap that names its points within `prefix` ("blocks.0." + "attn.hook_q"). */
function prefixedTap(site: HookSite, prefix: string): Tap {
  return {
    wants: (point) => site.wants(prefix + point),
    emit: (point, values, shape) => site.emit(prefix + point, values, shape),
  };
}
