/**
 * The hook vocabulary: every activation a forward pass computes passes a named
 * hook point, with TransformerLens's names and shapes (for a batch of one, the
 * batch axis dropped), so knowledge and code carry across. One mechanism
 * serves caching, ablation, patching and tracing: a hook that reads an
 * activation caches it, a hook that overwrites it in place replaces it.
 *
 * Definitions where TransformerLens leaves room:
 * - `ln*.hook_scale` is [pos, 1]: √(var + ε) for LayerNorm, √(mean(x²) + ε) for
 *   RMSNorm; `ln*.hook_normalized` is the normalised stream *before* the learned
 *   weight and bias (as TransformerLens shows it with its default fold_ln, and
 *   for RMSNorm always).
 * - `ln_embed.*` is microGPT's norm right after the embedding (TransformerLens
 *   has no such norm).
 * - `attn.hook_attn_scores` holds −Infinity at masked (future, or outside a
 *   sliding window) keys, as TransformerLens's does; those keys stay masked
 *   whatever a hook writes there.
 * - `hook_logits` is the output of the unembedding (TransformerLens returns it
 *   from the model rather than through a hook).
 */

/** Symbolic axes of a hook point's shape; `1` is a unit axis. */
export type Axis =
  'pos' | 'head' | 'kv_head' | 'd_head' | 'd_model' | 'd_mlp' | 'query_pos' | 'key_pos' | 'd_vocab' | 1;

/** A hook point that is not inside a block. */
export const GLOBAL_POINTS = {
  hook_embed: ['pos', 'd_model'],
  hook_pos_embed: ['pos', 'd_model'],
  'ln_embed.hook_scale': ['pos', 1],
  'ln_embed.hook_normalized': ['pos', 'd_model'],
  'ln_final.hook_scale': ['pos', 1],
  'ln_final.hook_normalized': ['pos', 'd_model'],
  hook_logits: ['pos', 'd_vocab'],
} as const satisfies Record<string, readonly Axis[]>;

/** A hook point inside block L, named `blocks.L.<point>`. */
export const BLOCK_POINTS = {
  hook_resid_pre: ['pos', 'd_model'],
  'ln1.hook_scale': ['pos', 1],
  'ln1.hook_normalized': ['pos', 'd_model'],
  'attn.hook_q': ['pos', 'head', 'd_head'],
  'attn.hook_k': ['pos', 'kv_head', 'd_head'],
  'attn.hook_v': ['pos', 'kv_head', 'd_head'],
  'attn.hook_rot_q': ['pos', 'head', 'd_head'],
  'attn.hook_rot_k': ['pos', 'kv_head', 'd_head'],
  'attn.hook_attn_scores': ['head', 'query_pos', 'key_pos'],
  'attn.hook_pattern': ['head', 'query_pos', 'key_pos'],
  'attn.hook_z': ['pos', 'head', 'd_head'],
  hook_attn_out: ['pos', 'd_model'],
  hook_resid_mid: ['pos', 'd_model'],
  'ln2.hook_scale': ['pos', 1],
  'ln2.hook_normalized': ['pos', 'd_model'],
  'mlp.hook_pre': ['pos', 'd_mlp'],
  'mlp.hook_pre_linear': ['pos', 'd_mlp'],
  'mlp.hook_post': ['pos', 'd_mlp'],
  hook_mlp_out: ['pos', 'd_model'],
  hook_resid_post: ['pos', 'd_model'],
} as const satisfies Record<string, readonly Axis[]>;

export type GlobalPoint = keyof typeof GLOBAL_POINTS;
export type BlockPoint = keyof typeof BLOCK_POINTS;
export type Point = GlobalPoint | BlockPoint;

/** `blocks.3.attn.hook_pattern` for layer 3. */
export const blockHook = (layer: number, point: BlockPoint): string => `blocks.${layer}.${point}`;

/** What a hook name says: its layer (null outside the blocks) and its point; null for a name not in the vocabulary. */
export function parseHook(name: string): { layer: number | null; point: Point } | null {
  if (Object.hasOwn(GLOBAL_POINTS, name)) return { layer: null, point: name as GlobalPoint };
  if (!name.startsWith('blocks.')) return null;
  const dot = name.indexOf('.', 7);
  const digits = name.slice(7, dot);
  const point = name.slice(dot + 1);
  if (dot < 0 || !/^(0|[1-9]\d{0,5})$/.test(digits) || !Object.hasOwn(BLOCK_POINTS, point)) return null;
  return { layer: Number(digits), point: point as BlockPoint };
}

/** The axes of any hook name in the vocabulary. */
export function axesOf(point: Point): readonly Axis[] {
  return Object.hasOwn(GLOBAL_POINTS, point) ? GLOBAL_POINTS[point as GlobalPoint] : BLOCK_POINTS[point as BlockPoint];
}

/** The structural facts that decide which hook points a model has. */
export interface HookStructure {
  layers: number;
  /** A learned position table added to the token embedding (hook_pos_embed). */
  positionTable: boolean;
  /** A norm right after the embedding (microGPT). */
  embeddingNorm: boolean;
  /** q and k rotated (hook_rot_q, hook_rot_k). */
  rope: boolean;
  /** Attention and MLP read the same stream (GPT-NeoX, Phi-2): no hook_resid_mid. */
  parallel: boolean;
  /** The MLP's norm is the attention's own (Phi-2): no ln2. */
  sharedNorm: boolean;
  /** A gated MLP (SwiGLU, GeGLU): mlp.hook_pre is the gate, mlp.hook_pre_linear the up projection. */
  gated: boolean;
  finalNorm: boolean;
  /** Blocks with norms and an MLP; false for an attention-only model (the induction lab's). */
  full: boolean;
}

/** The sizes a hook shape is made of. */
export interface HookSizes {
  heads: number;
  kvHeads: number;
  headDim: number;
  dModel: number;
  dMlp: number;
  vocab: number;
}

export interface HookPointInfo {
  name: string;
  layer: number | null;
  point: Point;
  axes: readonly Axis[];
}

/** Every hook point a model of this structure has, in the order a forward pass reaches them. */
export function hookPointsFor(s: HookStructure): HookPointInfo[] {
  const out: HookPointInfo[] = [];
  const global = (point: GlobalPoint) => out.push({ name: point, layer: null, point, axes: GLOBAL_POINTS[point] });
  global('hook_embed');
  if (s.positionTable) global('hook_pos_embed');
  if (s.embeddingNorm) (['ln_embed.hook_scale', 'ln_embed.hook_normalized'] as const).forEach(global);
  for (let l = 0; l < s.layers; l++)
    for (const point of Object.keys(BLOCK_POINTS) as BlockPoint[])
      if (hasBlockPoint(s, point)) out.push({ name: blockHook(l, point), layer: l, point, axes: BLOCK_POINTS[point] });
  if (s.finalNorm) (['ln_final.hook_scale', 'ln_final.hook_normalized'] as const).forEach(global);
  global('hook_logits');
  return out;
}

function hasBlockPoint(s: HookStructure, point: BlockPoint): boolean {
  // An attention-only block: the stream, attention, and nothing else.
  if (!s.full)
    return (
      point === 'hook_resid_pre' ||
      point.startsWith('attn.') ||
      point === 'hook_attn_out' ||
      point === 'hook_resid_post'
    );
  switch (point) {
    case 'attn.hook_rot_q':
    case 'attn.hook_rot_k':
      return s.rope;
    case 'hook_resid_mid':
      return !s.parallel;
    case 'ln2.hook_scale':
    case 'ln2.hook_normalized':
      return !s.sharedNorm;
    case 'mlp.hook_pre_linear':
      return s.gated;
    default:
      return true;
  }
}

/** A shape from its axes, for `pos` new positions whose keys reach back to `keys` positions. */
export function shapeOf(axes: readonly Axis[], z: HookSizes, pos: number, keys = pos): number[] {
  const size: Record<Exclude<Axis, 1>, number> = {
    pos,
    head: z.heads,
    kv_head: z.kvHeads,
    d_head: z.headDim,
    d_model: z.dModel,
    d_mlp: z.dMlp,
    query_pos: pos,
    key_pos: keys,
    d_vocab: z.vocab,
  };
  return axes.map((a) => (a === 1 ? 1 : size[a]));
}
