/**
 * Variants run together: B runs of the same T tokens whose activations are
 * stacked [B·T, …] so each matrix product reads the weights once for all of
 * them. Each variant has its own hook site and sees only its own rows (a view:
 * what its hooks write lands in the stack). Every kernel treats rows
 * independently, so a variant's numbers are the same bits as its run alone.
 */
import { HookSite, type Activation } from '../../engine/site.js';

export class Sites {
  constructor(readonly list: readonly HookSite[]) {}

  /** One run, no hooks, no checks: the logit lens's unembed. */
  static readonly NONE = new Sites([HookSite.NONE]);

  get B(): number {
    return this.list.length;
  }

  /** Whether any variant's hooks visit this point (then the point is materialised for all). */
  wants(name: string): boolean {
    return this.list.some((s) => s.wants(name));
  }

  /** Shows each variant its block of `x` (B equal blocks) as `shape`, then checks it. */
  emit(name: string, x: Activation, shape: readonly number[]): void {
    const per = x.length / this.list.length;
    this.list.forEach((s, v) => s.emit(name, x.subarray(v * per, (v + 1) * per), shape));
  }
}
