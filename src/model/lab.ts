/**
 * The induction lab's model: an attention-only transformer on this project's
 * engine (taped F64), one head per layer, RoPE, no MLP, no norm, trained on
 * [BOS, x1..xk, x1..xk] of random tokens with k drawn per batch (a fixed k
 * lets the model cheat with a positional shortcut instead of learning
 * induction). Small enough to train in seconds, seeded and deterministic.
 */
import {
  Adam,
  add,
  causalAttention,
  crossEntropy,
  gather,
  Graph,
  matmulT,
  rope,
  Rng,
  scale,
  Tensor,
} from '../tensor/index.js';
import { hookPointsFor, type HookPointInfo } from '../engine/hooks.js';
import { HookSite, type Activation, type Hook } from '../engine/site.js';
import {
  logitRows,
  type Engine,
  type EngineInfo,
  type RunOptions,
  type RunResult,
  type RunState,
} from '../engine/types.js';

export interface LabConfig {
  /** Random tokens 0..vocab−1; BOS is id `vocab`. */
  vocab: number;
  layers: number;
  width: number;
  batch: number;
  lr: number;
  minK: number;
  maxK: number;
  theta: number;
  seed: number;
}

export const LAB_DEFAULTS: LabConfig = {
  vocab: 16,
  layers: 2,
  width: 16,
  batch: 16,
  lr: 1e-2,
  minK: 2,
  maxK: 16,
  theta: 10000,
  seed: 42,
};

/** PyTorch's Adam defaults, as the prototype the lab's figures come from used. */
const LAB_ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface LabLayer {
  wq: Tensor;
  wk: Tensor;
  wv: Tensor;
  wo: Tensor;
}

export class LabModel {
  readonly embed: Tensor;
  readonly unembed: Tensor;
  readonly layers: LabLayer[];
  private readonly adam: Adam;

  constructor(readonly config: LabConfig) {
    const rng = new Rng(config.seed);
    const V = config.vocab + 1,
      d = config.width;
    // PyTorch's initialisation: embeddings N(0, 1), linear layers uniform in ±1/√fan_in.
    const normal = (shape: number[]) =>
      Tensor.param(
        shape,
        Float64Array.from({ length: shape[0]! * shape[1]! }, () => rng.gauss(0, 1)),
      );
    const uniform = (shape: number[]) => {
      const bound = 1 / Math.sqrt(shape[1]!);
      return Tensor.param(
        shape,
        Float64Array.from({ length: shape[0]! * shape[1]! }, () => (2 * rng.uniform() - 1) * bound),
      );
    };
    this.embed = normal([V, d]);
    this.layers = Array.from({ length: config.layers }, () => ({
      wq: uniform([d, d]),
      wk: uniform([d, d]),
      wv: uniform([d, d]),
      wo: uniform([d, d]),
    }));
    this.unembed = uniform([V, d]);
    this.adam = new Adam(this.params(), LAB_ADAM);
  }

  params(): Tensor[] {
    return [this.embed, ...this.layers.flatMap((l) => [l.wq, l.wk, l.wv, l.wo]), this.unembed];
  }

  get bos(): number {
    return this.config.vocab;
  }

  /**
   * Logits [T, vocab + 1], every activation through its hook point on `site`
   * (the same names as every engine's: hook_embed, blocks.L.attn.hook_pattern,
   * blocks.L.hook_attn_out …); knocking a layer out is a hook on its hook_attn_out.
   */
  forward(g: Graph, ids: readonly number[], site: HookSite = HookSite.NONE): Tensor {
    const T = ids.length,
      d = this.config.width;
    const hooked = site !== HookSite.NONE;
    const emit = (name: string, t: Tensor) => {
      if (hooked) site.emit(name, t.data, name.includes('attn.hook_') ? [T, 1, d] : t.shape);
      return t;
    };
    let x = emit('hook_embed', gather(g, this.embed, ids));
    this.layers.forEach((L, i) => {
      const b = `blocks.${i}.`;
      emit(`${b}hook_resid_pre`, x);
      const q = emit(`${b}attn.hook_q`, matmulT(g, x, L.wq));
      const k = emit(`${b}attn.hook_k`, matmulT(g, x, L.wk));
      const v = emit(`${b}attn.hook_v`, matmulT(g, x, L.wv));
      const rq = emit(`${b}attn.hook_rot_q`, rope(g, q, 1, this.config.theta));
      const rk = emit(`${b}attn.hook_rot_k`, rope(g, k, 1, this.config.theta));
      const visits = hooked
        ? {
            scores: site.wants(`${b}attn.hook_attn_scores`)
              ? (s: Float64Array) => site.emit(`${b}attn.hook_attn_scores`, s, [1, T, T])
              : undefined,
            pattern: (p: Float64Array) => site.emit(`${b}attn.hook_pattern`, p, [1, T, T]),
          }
        : undefined;
      const { out } = causalAttention(g, rq, rk, v, 1, 1, undefined, visits);
      emit(`${b}attn.hook_z`, out);
      x = emit(`${b}hook_resid_post`, add(g, x, emit(`${b}hook_attn_out`, matmulT(g, out, L.wo))));
    });
    return emit('hook_logits', matmulT(g, x, this.unembed));
  }

  /** One training step on a batch of fresh sequences (one k for the batch); returns the batch's mean loss. */
  step(g: Graph, batch: number[][]): number {
    g.reset();
    let total: Tensor | null = null;
    for (const seq of batch) {
      const l = crossEntropy(g, this.forward(g, seq.slice(0, -1)), seq.slice(1));
      total = total ? add(g, total, l) : l;
    }
    const loss = scale(g, total!, 1 / batch.length);
    g.backward(loss);
    this.adam.step(this.config.lr);
    return loss.data[0]!;
  }
}

/** [BOS, x1..xk, x1..xk] for random tokens x. */
export function repeatedBatch(rng: Rng, c: LabConfig, k: number): number[][] {
  return Array.from({ length: c.batch }, () => {
    const r = Array.from({ length: k }, () => rng.int(c.vocab));
    return [c.vocab, ...r, ...r];
  });
}

/** The lab's model as an Engine: random tokens, no tokenizer, the hook points of an attention-only model. */
export class LabEngine implements Engine {
  readonly info: EngineInfo;
  readonly tokenizer = null;
  readonly bos: number;
  readonly eos = null;
  readonly drawFrom: number;

  constructor(readonly model: LabModel) {
    const c = model.config;
    this.bos = c.vocab;
    this.drawFrom = c.vocab;
    this.info = {
      family: 'induction lab',
      weightsFrom: `the lab's model (seed ${c.seed})`,
      trained: true,
      trainedOn: null,
      precision: 'f64',
      layers: c.layers,
      heads: 1,
      kvHeads: 1,
      headDim: c.width,
      dModel: c.width,
      dMlp: 0,
      vocab: c.vocab + 1,
      context: 2 * c.maxK + 1,
      parameters: model.params().reduce((n, p) => n + p.size, 0),
      scale: 1 / Math.sqrt(c.width),
      endsWithEos: false,
      kernels: {
        attention_type: 'mha',
        activation: 'relu',
        norm_type: 'rmsnorm',
        mlp_type: 'relu_mlp',
        positional_encoding: 'rope',
        tied_embeddings: false,
      },
      structure: {
        layers: c.layers,
        positionTable: false,
        embeddingNorm: false,
        rope: true,
        parallel: false,
        sharedNorm: false,
        gated: false,
        finalNorm: false,
        full: false,
      },
    };
  }

  hookPoints(): HookPointInfo[] {
    return hookPointsFor(this.info.structure);
  }

  run(ids: readonly number[], opts: RunOptions = {}): RunResult {
    if (opts.state || opts.from) throw new Error('LabEngine: runs whole sequences only');
    const logits = this.model.forward(
      new Graph(false),
      ids,
      new HookSite(opts.hooks ?? [], this.info.weightsFrom),
    ).data;
    const V = this.info.vocab,
      rows = logitRows(opts.logits, ids.length);
    return { logits: logits.slice((ids.length - rows) * V), rows };
  }

  runVariants(
    ids: readonly number[],
    variants: ReadonlyArray<readonly Hook[]>,
    opts: Pick<RunOptions, 'logits'> = {},
  ): RunResult[] {
    return variants.map((hooks) => this.run(ids, { ...opts, hooks }));
  }

  unembed(resid: Activation, rows: number): Activation {
    return matmulT(new Graph(false), new Tensor([rows, this.info.dModel], Float64Array.from(resid)), this.model.unembed)
      .data;
  }

  newState(): RunState {
    throw new Error('LabEngine: no generation');
  }

  close(): void {}
}

/** Training steps on fresh batches, k drawn per batch: the loss of each step. */
export function* labTraining(model: LabModel, rng: Rng, steps: number): Generator<number, void, void> {
  const c = model.config;
  const g = new Graph();
  for (let step = 1; step <= steps; step++) {
    const k = c.minK + rng.int(c.maxK - c.minK + 1);
    yield model.step(g, repeatedBatch(rng, c, k));
  }
}
