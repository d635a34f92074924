/** What the report builders read off an engine run: every head's attention, and every cached activation. */
import { cachingHook, globMatcher, type Activation, type Engine, type Hook } from '../engine/index.js';
import { TapedEngine } from '../model/taped-engine.js';
import type { Gpt } from '../model/index.js';

/** Every layer's and head's [query][key] attention weights on `ids` (the pattern hook points). */
export function attentionOf(engine: Engine, ids: readonly number[], hooks: readonly Hook[] = []): number[][][][] {
  const { hook, cache } = cachingHook(globMatcher(['blocks.*.attn.hook_pattern']));
  engine.run(ids, { hooks: [...hooks, hook], logits: 'none' });
  return Array.from({ length: engine.info.layers }, (_, l) => {
    const p = cache.get(`blocks.${l}.attn.hook_pattern`)!;
    const [H, T, K] = p.shape as [number, number, number];
    return Array.from({ length: H }, (_, h) =>
      Array.from({ length: T }, (_, t) => plainRow(p.values, (h * T + t) * K, K)),
    );
  });
}

/** values[at … at + n) as a plain array (a loop: Array.from over a typed array is several times slower). */
function plainRow(values: ArrayLike<number>, at: number, n: number): number[] {
  const row = new Array<number>(n);
  for (let k = 0; k < n; k++) row[k] = values[at + k]!;
  return row;
}

/** A run that keeps every hook point matching `match`, in forward order, and the logits. */
export function runWithCache(
  engine: Engine,
  ids: readonly number[],
  match: (name: string) => boolean = () => true,
): { cache: Map<string, { values: Activation; shape: number[] }>; logits: Activation } {
  const { hook, cache } = cachingHook(match);
  const { logits } = engine.run(ids, { hooks: [hook] });
  return { cache, logits };
}

/** The taped model behind an engine (microGPT or a tiny family), whose architecture reports compare with microGPT's. */
export function tinyModelOf(engine: Engine): Gpt | null {
  return engine instanceof TapedEngine ? engine.model : null;
}
