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
    // w −= lr·m̂ / (√v̂ + eps) with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ); the constants are folded once per step
    const stepSize = lr / (1 - beta1 ** this.t);
    const vScale = 1 / (1 - beta2 ** this.t);
    const a1 = 1 - beta1,
      a2 = 1 - beta2;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k],
        g = p.grad!,
        m = this.m[k],
        v = this.v[k],
        w = p.data;
      for (let i = 0; i < p.size; i++) {
        const gi = g[i];
        const mi = beta1 * m[i] + a1 * gi;
        const vi = beta2 * v[i] + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (stepSize * mi) / (Math.sqrt(vi * vScale) + eps);
        g[i] = 0;
      }
    }
  }

  /** Zero every parameter's gradient without updating (for gradient checks and evaluation). */
  zeroGrad(): void {
    for (const p of this.params) p.grad!.fill(0);
  }
}
