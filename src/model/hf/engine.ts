/**
 * A Hugging Face checkpoint as an Engine: the float32 path with its KV cache,
 * the model folder's tokenizer, and the same hook points, under the same
 * names, as microGPT's.
 */
import { hookPointsFor, type HookPointInfo } from '../../engine/hooks.js';
import { HookSite, type Activation, type Hook } from '../../engine/site.js';
import type { Engine, EngineInfo, EngineTokenizer, RunOptions, RunResult, RunState } from '../../engine/types.js';
import type { HfModel, KvCache } from './forward.js';
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

  constructor(
    readonly model: HfModel,
    text: TextTokenizer | null,
    /** The folder (or file) the weights came from. */
    readonly path: string,
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
    const cache = (opts.state as KvCache | undefined) ?? this.model.newCache(ids.length);
    const site = new HookSite(opts.hooks ?? [], this.path);
    const rows = opts.logits === 'last' ? 1 : ids.length;
    return { logits: this.model.forward(ids, cache, site, opts.logits ?? 'all', opts.from), rows };
  }

  runVariants(
    ids: readonly number[],
    variants: ReadonlyArray<readonly Hook[]>,
    opts: Pick<RunOptions, 'logits' | 'from'> = {},
  ): RunResult[] {
    return variants.map((hooks) => this.run(ids, { ...opts, hooks }));
  }

  unembed(resid: Activation, rows: number): Activation {
    return this.model.unembed(Float32Array.from(resid), rows);
  }

  newState(capacity: number): RunState {
    return this.model.newCache(Math.min(capacity, this.info.context));
  }
}
