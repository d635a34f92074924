import type { Tensor } from './tensor.js';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

/** microgpt's Adam: β1 0.85, β2 0.99, eps 1e-8, bias-corrected. */
export const MICROGPT_ADAM: AdamOptions = { beta1: 0.85, beta2: 0.99, eps: 1e-8 };

/** Adam with bias correction. The learning rate is passed per step so the caller owns the schedule. */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    private readonly params: readonly Tensor[],
    private readonly opts: AdamOptions = MICROGPT_ADAM,
  ) {
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
  }

  /** One update from the accumulated gradients, which it then zeroes. */
  step(lr: number): void {
    this.t++;
    const { beta1, beta2, eps } = this.opts;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k], g = p.grad!, m = this.m[k], v = this.v[k], w = p.data;
      for (let i = 0; i < p.size; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
        g[i] = 0;
      }
    }
  }

  /** Zero every parameter's gradient without updating (for gradient checks and evaluation). */
  zeroGrad(): void {
    for (const p of this.params) p.grad!.fill(0);
  }
}
