import { addRow, crossEntropy, gather, Graph, matmulT, Tensor, add } from '../tensor/index.js';
import { executable, type KernelPath } from '../kernels/dispatch.js';
import type { AttentionConfig, NormParams } from '../kernels/types.js';
import { alibiSlopes, MICROGPT_ARCHITECTURE, type Architecture } from './architecture.js';
import type { ModelConfig } from './config.js';
import { bindTensors, initParameters, type ModelTensors } from './params.js';

export { MICROGPT_ARCHITECTURE, type Architecture } from './architecture.js';

/** What a forward pass leaves behind for explanation: plain arrays, safe after the graph is reset. */
export interface ForwardTrace {
  /** attention[layer][head] is the [T][T] matrix of attention weights. */
  attention: number[][][][];
  /** Every intermediate activation in forward order, copied out of the graph. */
  stages: TraceStage[];
}

export interface TraceStage {
  name: string;
  shape: number[];
  values: number[];
}

/**
 * An intervention on the forward pass (ablation, patching): callbacks that see
 * and may overwrite each layer's head outputs [T, heads·d_k] (before W_o) and
 * MLP output [T, n_embd] (before the residual). Inference only.
 */
export interface Intervention {
  /** The residual stream entering layer `layer` (and, as layer n_layer, leaving the last one). */
  residual?: (layer: number, x: Float64Array, T: number) => void;
  heads?: (layer: number, heads: Float64Array, T: number) => void;
  mlp?: (layer: number, out: Float64Array, T: number) => void;
}

export interface ForwardResult {
  logits: Tensor;
  trace: ForwardTrace | null;
}

/**
 * A GPT assembled from the kernel registry: token embedding (+ learned
 * positions where the family has them), an optional embedding norm, then per
 * layer a pre-norm causal attention block and a pre-norm MLP block, each with
 * a residual, an optional final norm and the output head (untied, or the
 * embedding reused). With microGPT's architecture this is exactly Karpathy's
 * microgpt; other families change only which kernels run.
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
    };
    this.attentionConfig = {
      heads: config.nHead,
      kvHeads: config.nKvHead,
      rope: a.positional_encoding === 'rope' ? { theta: a.rope_theta ?? 10000 } : undefined,
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

  /** Logits [T, vocab] for input ids (T ≤ block size), and the trace when asked for. */
  forward(g: Graph, ids: readonly number[], withTrace = false, intervene?: Intervention): ForwardResult {
    const c = this.config,
      k = this.kernels,
      T = this.tensors;
    if (ids.length < 1 || ids.length > c.blockSize)
      throw new Error(`Gpt.forward: ${ids.length} tokens, block size is ${c.blockSize}`);
    const trace: ForwardTrace | null = withTrace ? { attention: [], stages: [] } : null;
    const record = (name: string, t: Tensor): Tensor => {
      trace?.stages.push({ name, shape: [...t.shape], values: Array.from(t.data) });
      return t;
    };
    const norm = (x: Tensor, p: NormParams) => k.norm(g, x, c.normEps, p);

    let x = record('embedding (wte + wpe)', k.positions(g, gather(g, T.wte, ids), T.wpe));
    if (this.architecture.embedding_norm)
      x = record(`${this.architecture.norm_type} (embedding)`, norm(x, T.embeddingNorm));
    for (let l = 0; l < c.nLayer; l++) {
      intervene?.residual?.(l, x.data, ids.length);
      const L = T.layers[l]!;
      const tap = trace ? (name: string, t: Tensor) => void record(`layer ${l} ${name}`, t) : undefined;
      const h = record(`layer ${l} ${this.architecture.norm_type} (pre-attention)`, norm(x, L.normAttn));
      const cfg = intervene?.heads
        ? { ...this.attentionConfig, editHeads: (out: Tensor) => intervene.heads!(l, out.data, ids.length) }
        : this.attentionConfig;
      const attn = k.attention(g, h, L.attention, cfg, tap);
      trace?.attention.push(attn.weights.map((t) => t.toRows()));
      record(`layer ${l} attention output (W_o)`, attn.out);
      x = record(`layer ${l} residual (after attention)`, add(g, attn.out, x));
      const hm = record(`layer ${l} ${this.architecture.norm_type} (pre-MLP)`, norm(x, L.normMlp));
      const m = k.mlp(g, hm, L.mlp, k.activation, tap);
      intervene?.mlp?.(l, m.data, ids.length);
      record(`layer ${l} mlp output`, m);
      x = record(`layer ${l} residual (after MLP)`, add(g, m, x));
    }
    intervene?.residual?.(c.nLayer, x.data, ids.length);
    if (this.architecture.final_norm) x = record(`${this.architecture.norm_type} (final)`, norm(x, T.finalNorm));
    return { logits: record('logits', this.head(g, x)), trace };
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
  unembed(g: Graph, x: Tensor): Tensor {
    const a = this.architecture;
    return this.head(g, a.final_norm ? this.kernels.norm(g, x, this.config.normEps, this.tensors.finalNorm) : x);
  }

  /** Mean cross-entropy of a document [BOS, chars…, BOS], cut to the block size as microgpt does. */
  loss(g: Graph, tokens: readonly number[], intervene?: Intervention): Tensor {
    const n = Math.min(this.config.blockSize, tokens.length - 1);
    const { logits } = this.forward(g, tokens.slice(0, n), false, intervene);
    return crossEntropy(g, logits, tokens.slice(1, n + 1));
  }
}
