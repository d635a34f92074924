/**
 * microGPT and the tiny families as an Engine: the taped F64 model run
 * without a tape. The same hook points, under the same names, as the float32
 * path's, so every report is written once.
 */
import { hookPointsFor, type HookPointInfo } from '../engine/hooks.js';
import { HookSite, type Activation, type Hook } from '../engine/site.js';
import {
  logitRows,
  type Engine,
  type EngineInfo,
  type EngineTokenizer,
  type RunOptions,
  type RunResult,
  type RunState,
} from '../engine/types.js';
import { MicrogptError } from '../errors.js';
import { Graph, Tensor } from '../tensor/index.js';
import { blockTypeOf, hasPositionTable, isGated, isRotary } from './architecture.js';
import { headDim } from './config.js';
import type { Gpt } from './gpt.js';
import type { Tokenizer } from './tokenizer.js';

/** Where a taped model's weights come from, and what the checkpoint says about its training. */
export interface TapedSource {
  family: string;
  weightsFrom: string;
  trained: boolean;
  training: Record<string, unknown> | null;
}

/** The positions so far: the taped engine has no KV cache and reruns them (microGPT's context is 16). */
class Prefix implements RunState {
  readonly ids: number[] = [];
  constructor(readonly capacity: number) {}
  get length(): number {
    return this.ids.length;
  }
}

export class TapedEngine implements Engine {
  readonly info: EngineInfo;
  readonly tokenizer: EngineTokenizer;
  readonly bos: number;
  readonly eos: number;
  readonly drawFrom: number;

  constructor(
    readonly model: Gpt,
    readonly chars: Tokenizer,
    readonly source: TapedSource,
  ) {
    const c = model.config,
      a = model.architecture;
    this.info = {
      family: source.family,
      weightsFrom: source.weightsFrom,
      trained: source.trained,
      trainedOn: typeof source.training?.data === 'string' ? source.training.data : null,
      precision: 'f64',
      layers: c.nLayer,
      heads: c.nHead,
      kvHeads: c.nKvHead,
      headDim: headDim(c),
      dModel: c.nEmbd,
      dMlp: c.nHidden,
      vocab: c.vocabSize,
      context: c.blockSize,
      parameters: model.parameterCount,
      kernels: a,
      endsWithEos: true,
      scale: 1 / Math.sqrt(headDim(c)),
      structure: {
        layers: c.nLayer,
        positionTable: hasPositionTable(a),
        embeddingNorm: a.embedding_norm,
        rope: isRotary(a),
        parallel: blockTypeOf(a) !== 'sequential',
        sharedNorm: blockTypeOf(a) === 'parallel_shared_norm',
        gated: isGated(a),
        finalNorm: a.final_norm,
        full: true,
      },
    };
    this.bos = chars.bos;
    // BOS also ends a name.
    this.eos = chars.bos;
    // Characters only: BOS is the last id.
    this.drawFrom = chars.bos;
    this.tokenizer = {
      source: `the characters of the training data (${chars.describeVocab()}, then BOS)`,
      encode: (text) => encodeName(chars, text, c.blockSize),
      document: (text) => chars.encodeDoc(text),
      label: (id) => chars.label(id),
      decode: (ids) => ids.map((id) => (id === chars.bos ? '' : chars.label(id))).join(''),
    };
  }

  hookPoints(): HookPointInfo[] {
    return hookPointsFor(this.info.structure);
  }

  run(ids: readonly number[], opts: RunOptions = {}): RunResult {
    const prefix = opts.state as Prefix | undefined;
    const all = prefix ? [...prefix.ids, ...ids] : ids;
    if (all.length > this.info.context)
      throw new MicrogptError(
        'MG086',
        `the input is ${all.length} tokens; this model takes at most ${this.info.context}`,
      );
    const site = new HookSite(opts.hooks ?? [], this.info.weightsFrom);
    if (prefix && opts.from) throw new Error('TapedEngine.run: `from` does not go with `state`');
    const logits = this.model.forward(new Graph(false), all, site, opts.from).data;
    prefix?.ids.push(...ids);
    const V = this.info.vocab,
      rows = logitRows(opts.logits, ids.length);
    return { logits: logits.slice((all.length - rows) * V, all.length * V), rows };
  }

  runVariants(
    ids: readonly number[],
    variants: ReadonlyArray<readonly Hook[]>,
    opts: Pick<RunOptions, 'logits' | 'from'> = {},
  ): RunResult[] {
    return variants.map((hooks) => this.run(ids, { ...opts, hooks }));
  }

  unembed(resid: Activation, rows: number): Activation {
    return this.model.unembed(new Graph(false), new Tensor([rows, this.info.dModel], Float64Array.from(resid))).data;
  }

  newState(capacity: number): RunState {
    return new Prefix(Math.min(capacity, this.info.context));
  }

  /** Nothing to give back: the taped engine's tensors are the garbage collector's. */
  close(): void {}
}

/**
 * A name as microGPT's input, [BOS, chars…]: every character in the vocabulary
 * (uppercase gets a hint), at most the context less BOS.
 */
export function encodeName(tokenizer: Tokenizer, text: string, blockSize: number): number[] {
  if (text.length === 0) throw new MicrogptError('MG002', 'the text is empty; give at least one character, e.g. "mar"');
  let ids: number[];
  try {
    ids = tokenizer.encodePrompt(text);
  } catch (e) {
    // Uppercase is the usual slip: say what would work.
    const lower = text.toLowerCase();
    if (e instanceof MicrogptError && lower !== text && encodes(tokenizer, lower))
      throw new MicrogptError(e.code, `${e.message} (did you mean "${lower}"?)`);
    throw e;
  }
  if (ids.length > blockSize) {
    throw new MicrogptError(
      'MG004',
      `the text has ${text.length} characters; the context holds BOS + ${blockSize - 1}, so use at most ${blockSize - 1}`,
    );
  }
  return ids;
}

function encodes(tokenizer: Tokenizer, text: string): boolean {
  try {
    tokenizer.encodePrompt(text);
    return true;
  } catch {
    return false;
  }
}
