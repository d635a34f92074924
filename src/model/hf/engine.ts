/**
 * A Hugging Face checkpoint as an Engine: the float32 path with its KV cache,
 * the model folder's tokenizer, and the same hook points, under the same
 * names, as microGPT's. Variants of one run go through the model together,
 * a batch of rows at a time.
 */
import { hookPointsFor, type HookPointInfo } from '../../engine/hooks.js';
import { HookSite, type Activation, type Hook } from '../../engine/site.js';
import {
  logitRows,
  type Engine,
  type EngineInfo,
  type EngineTokenizer,
  type LogitRows,
  type RunOptions,
  type RunResult,
  type RunState,
} from '../../engine/types.js';
import { Sites } from './batch.js';
import type { HfModel, KvCache, Stop } from './forward.js';
import type { HfSpec } from './spec.js';
import type { TextTokenizer } from './tokenizer.js';

/** mha, gqa or mqa from the head counts, as config.json gives them. */
export const attentionTypeOf = (s: HfSpec): string => (s.kvHeads === s.heads ? 'mha' : s.kvHeads === 1 ? 'mqa' : 'gqa');

export class F32Engine implements Engine {
  readonly info: EngineInfo;
  readonly tokenizer: EngineTokenizer | null;
  readonly bos: number | null;
  readonly eos: number | null;
  readonly drawFrom: number;

  private closed = false;

  constructor(
    readonly model: HfModel,
    text: TextTokenizer | null,
    /** The folder (or file) the weights came from. */
    readonly path: string,
    /** Lets go of the compute layer the model runs on (its threads stop with the last user). */
    private readonly releaseCompute: () => void = () => {},
    /** Activation bytes one batch of variants may take. */
    private readonly batchBytes = BATCH_BYTES,
  ) {
    const s = model.spec;
    this.info = {
      family: s.family,
      weightsFrom: path,
      trained: true,
      trainedOn: null,
      precision: 'f32',
      layers: s.layers,
      heads: s.heads,
      kvHeads: s.kvHeads,
      headDim: s.headDim,
      dModel: s.hidden,
      dMlp: s.intermediate,
      vocab: s.vocab,
      context: s.context,
      parameters: model.weights.parameterCount,
      endsWithEos: false,
      scale: 1 / Math.sqrt(s.headDim),
      kernels: {
        attention_type: attentionTypeOf(s),
        activation: s.contract.constraints.activation,
        norm_type: s.contract.constraints.norm_type,
        mlp_type: s.contract.constraints.mlp_type,
        positional_encoding: s.contract.constraints.positional_encoding,
        tied_embeddings: s.tied,
        embedding_scale: s.embedScale === null ? 'none' : 'sqrt_hidden',
      },
      structure: {
        layers: s.layers,
        positionTable: s.positions === 'learned',
        embeddingNorm: false,
        rope: s.positions === 'rope',
        parallel: s.block !== 'sequential',
        sharedNorm: s.block === 'parallel_shared_norm',
        gated: s.gated,
        finalNorm: true,
        full: true,
      },
    };
    this.tokenizer = text && {
      source: text.source,
      encode: (t) => text.encode(t),
      document: (t) => text.encode(t),
      label: (id) => text.piece(id),
      decode: (ids) => text.decode(ids),
    };
    this.bos = s.bosId;
    this.eos = s.eosId;
    this.drawFrom = s.vocab;
  }

  get spec(): HfSpec {
    return this.model.spec;
  }

  hookPoints(): HookPointInfo[] {
    return hookPointsFor(this.info.structure);
  }

  run(ids: readonly number[], opts: RunOptions = {}): RunResult {
    this.open();
    const logits = opts.logits ?? 'all',
      rows = logitRows(logits, ids.length);
    const sites = new Sites([new HookSite(opts.hooks ?? [], this.path)]);
    const state = opts.state as KvCache | undefined;
    const stop = this.stopFor(logits, sites, state !== undefined);
    if (state) return { logits: this.model.forward(ids, [state], sites, logits, undefined, stop)[0]!, rows };
    const caches = this.model.newCaches(1, ids.length);
    try {
      return { logits: this.model.forward(ids, caches, sites, logits, opts.from, stop)[0]!, rows };
    } finally {
      caches[0]!.release();
    }
  }

  /**
   * Where a run without logits may end: after the last hook point any hook
   * wants (a block's attention half, or the whole block), or after every
   * layer's keys and values when the state keeps them for the next tokens.
   * null: run to the end (logits wanted, or a hook wants the final norm or
   * hook_logits).
   */
  private stopFor(logits: LogitRows, sites: Sites, keepCache: boolean): Stop | null {
    if (logits !== 'none') return null;
    const points = this.hookPoints();
    let i = points.length - 1;
    while (i >= 0 && !sites.wants(points[i]!.name)) i--;
    const p = i < 0 ? null : points[i]!;
    if (p && p.layer === null && AFTER_BLOCKS.has(p.point)) return null;
    let stop: Stop =
      p?.layer != null
        ? { layer: p.layer, attentionOnly: inAttentionHalf(p.point) }
        : { layer: -1, attentionOnly: false };
    // Generation goes on from the state: every layer's keys and values must be in it.
    if (keepCache && stop.layer < this.info.layers - 1) stop = { layer: this.info.layers - 1, attentionOnly: true };
    return stop;
  }

  /** The variants in batches of at most `rowsPerBatch` rows, each batch one pass over the weights. */
  runVariants(
    ids: readonly number[],
    variants: ReadonlyArray<readonly Hook[]>,
    opts: Pick<RunOptions, 'logits' | 'from'> = {},
  ): RunResult[] {
    this.open();
    const logits = opts.logits ?? 'all';
    const per = Math.max(1, Math.floor(rowsPerBatch(this.spec, logits, this.batchBytes) / Math.max(1, ids.length)));
    const results: RunResult[] = [];
    for (let first = 0; first < variants.length; first += per) {
      const group = variants.slice(first, first + per);
      const caches = this.model.newCaches(group.length, ids.length);
      try {
        const sites = new Sites(group.map((hooks) => new HookSite(hooks, this.path)));
        const stop = this.stopFor(logits, sites, false);
        for (const l of this.model.forward(ids, caches, sites, logits, opts.from, stop))
          results.push({ logits: l, rows: logitRows(logits, ids.length) });
      } finally {
        caches[0]?.release();
      }
    }
    return results;
  }

  unembed(resid: Activation, rows: number): Activation {
    return this.model.unembed(Float32Array.from(resid), rows);
  }

  newState(capacity: number): RunState {
    return this.model.newCache(Math.min(capacity, this.info.context));
  }

  private open(): void {
    if (this.closed) throw new Error(`F32Engine: ${this.path} was closed`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.model.close();
    this.releaseCompute();
  }
}

/** Hook points after the last block: wanting one runs the whole pass. */
const AFTER_BLOCKS: ReadonlySet<string> = new Set(['ln_final.hook_scale', 'ln_final.hook_normalized', 'hook_logits']);

/** A block's point up to its attention output (the rest is the MLP's half, and the stream after it). */
const inAttentionHalf = (point: string): boolean =>
  point === 'hook_resid_pre' || point.startsWith('ln1.') || point.startsWith('attn.') || point === 'hook_attn_out';

/** Activation bytes one batch of variants may take: rows beyond it wait for the next batch. */
const BATCH_BYTES = 256 * 2 ** 20;

/**
 * Rows of variants one batch may hold: each row's activations (the stream,
 * norms, q, k, v, z and outputs; the MLP's hidden units; logits when every
 * position's are wanted) and its keys and values at every layer.
 */
export function rowsPerBatch(s: HfSpec, logits: LogitRows, bytes = BATCH_BYTES): number {
  const perRow =
    4 * (8 * s.hidden + 3 * s.intermediate + (logits === 'all' ? s.vocab : 0)) +
    4 * 2 * s.layers * s.kvHeads * s.headDim;
  return Math.max(1, Math.floor(bytes / perRow));
}
