import { add, crossEntropy, gather, Graph, matmulT, Tensor } from '../tensor/index.js';
import { executable, type KernelPath } from '../kernels/dispatch.js';
import type { ModelConfig } from './config.js';
import { initParameters } from './params.js';

/** The kernels a model is assembled from, by contract constraint value. */
export interface Architecture {
  attention_type: string;
  activation: string;
  norm_type: string;
  mlp_type: string;
  positional_encoding: string;
}

export const MICROGPT_ARCHITECTURE: Architecture = {
  attention_type: 'mha',
  activation: 'relu',
  norm_type: 'rmsnorm',
  mlp_type: 'relu_mlp',
  positional_encoding: 'learned',
};

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

export interface ForwardResult {
  logits: Tensor;
  trace: ForwardTrace | null;
}

/**
 * microGPT: token + learned position embedding, RMSNorm, then per layer a
 * pre-norm causal attention block and a pre-norm MLP block, each with a residual,
 * then the untied LM head. Reads top-down in the order of the forward pass.
 */
export class Gpt {
  private readonly kernels;

  constructor(
    readonly config: ModelConfig,
    readonly params: Map<string, Tensor>,
    readonly architecture: Architecture = MICROGPT_ARCHITECTURE,
    path: KernelPath = 'fused',
  ) {
    this.kernels = {
      attention: executable('attention_type', architecture.attention_type, path),
      activation: executable('activation', architecture.activation),
      norm: executable('norm_type', architecture.norm_type),
      mlp: executable('mlp_type', architecture.mlp_type),
      positions: executable('positional_encoding', architecture.positional_encoding),
    };
  }

  static init(config: ModelConfig, seed: number): Gpt {
    return new Gpt(config, initParameters(config, seed));
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
  forward(g: Graph, ids: readonly number[], withTrace = false): ForwardResult {
    const c = this.config, k = this.kernels;
    if (ids.length < 1 || ids.length > c.blockSize) throw new Error(`Gpt.forward: ${ids.length} tokens, block size is ${c.blockSize}`);
    const trace: ForwardTrace | null = withTrace ? { attention: [], stages: [] } : null;
    const record = (name: string, t: Tensor): Tensor => {
      trace?.stages.push({ name, shape: [...t.shape], values: Array.from(t.data) });
      return t;
    };
    let x = record('embedding (wte + wpe)', k.positions(g, gather(g, this.param('wte'), ids), this.param('wpe')));
    x = record('rmsnorm (embedding)', k.norm(g, x, c.normEps));
    for (let l = 0; l < c.nLayer; l++) {
      const p = (n: string) => this.param(`layer${l}.${n}`);
      const tap = trace ? (name: string, t: Tensor) => void record(`layer ${l} ${name}`, t) : undefined;
      const h = record(`layer ${l} rmsnorm (pre-attention)`, k.norm(g, x, c.normEps));
      const attn = k.attention(g, h, { wq: p('attn_wq'), wk: p('attn_wk'), wv: p('attn_wv'), wo: p('attn_wo') }, c.nHead, tap);
      trace?.attention.push(attn.weights.map((w) => w.toRows()));
      record(`layer ${l} attention output (W_o)`, attn.out);
      x = record(`layer ${l} residual (after attention)`, add(g, attn.out, x));
      const m = k.mlp(g, record(`layer ${l} rmsnorm (pre-MLP)`, k.norm(g, x, c.normEps)), { fc1: p('mlp_fc1'), fc2: p('mlp_fc2') }, k.activation, tap);
      record(`layer ${l} mlp fc2`, m);
      x = record(`layer ${l} residual (after MLP)`, add(g, m, x));
    }
    return { logits: record('logits', matmulT(g, x, this.param('lm_head'))), trace };
  }

  /** Mean cross-entropy of a document [BOS, chars…, BOS], cut to the block size as microgpt does. */
  loss(g: Graph, tokens: readonly number[]): Tensor {
    const n = Math.min(this.config.blockSize, tokens.length - 1);
    const { logits } = this.forward(g, tokens.slice(0, n));
    return crossEntropy(g, logits, tokens.slice(1, n + 1));
  }
}

