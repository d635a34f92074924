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
   * Logits [T, vocab + 1] and each layer's attention [T][T]; `knockout` zeroes
   * a layer's attention output (the ablation the lab uses to show composition).
   */
  forward(g: Graph, ids: readonly number[], knockout?: number): { logits: Tensor; attention: number[][][] } {
    let x = gather(g, this.embed, ids);
    const attention: number[][][] = [];
    this.layers.forEach((L, i) => {
      const q = rope(g, matmulT(g, x, L.wq), 1, this.config.theta);
      const k = rope(g, matmulT(g, x, L.wk), 1, this.config.theta);
      const v = matmulT(g, x, L.wv);
      const { out, weights } = causalAttention(g, q, k, v, 1);
      attention.push(weights[0]!.toRows());
      const o = matmulT(g, out, L.wo);
      x = add(g, x, knockout === i ? scale(g, o, 0) : o);
    });
    return { logits: matmulT(g, x, this.unembed), attention };
  }

  /** One training step on a batch of fresh sequences (one k for the batch); returns the batch's mean loss. */
  step(g: Graph, batch: number[][]): number {
    g.reset();
    let total: Tensor | null = null;
    for (const seq of batch) {
      const { logits } = this.forward(g, seq.slice(0, -1));
      const l = crossEntropy(g, logits, seq.slice(1));
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
