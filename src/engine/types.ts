/**
 * One interface for every model this tool runs: microGPT and the tiny
 * families on the taped F64 engine, real checkpoints on the float32 path,
 * the induction lab's model. Report builders (attention, detectors, trace,
 * lens, eval, sample, ablation, patching, the activation cache) are written
 * once against it; the CLI opens one engine and never asks which kind it is.
 */
import type { HookPointInfo, HookSizes, HookStructure } from './hooks.js';
import type { Activation, Hook } from './site.js';

/** The kernel choices of a model, in the contracts' vocabulary (what explain's formulas are built from). */
export interface EngineKernels {
  attention_type: string;
  activation: string;
  norm_type: string;
  mlp_type: string;
  positional_encoding: string;
  tied_embeddings: boolean;
  /** Gemma's √d_model on the embedding; absent: none. */
  embedding_scale?: string;
}

/** What a model is, in numbers a report can show. */
export interface EngineInfo extends HookSizes {
  family: string;
  /** Where the weights come from: a file or folder, or "random initialization (seed 42)". */
  weightsFrom: string;
  /** Weights trained (a checkpoint or a download) rather than a fresh initialization. */
  trained: boolean;
  /** The corpus the weights were trained on, where the checkpoint says (eval calls that score in-sample). */
  trainedOn: string | null;
  /** f64: the taped training engine; f32: the inference engine for real checkpoints. */
  precision: 'f64' | 'f32';
  layers: number;
  /** The longest input, in tokens. */
  context: number;
  parameters: number;
  kernels: EngineKernels;
  structure: HookStructure;
  /** Attention scale 1/√d_head, unless the family sets its own. */
  scale: number;
  /**
   * A text is a whole document that the end token closes (microGPT's names end
   * with BOS): the last position predicts it. Otherwise text runs on.
   */
  endsWithEos: boolean;
}

/** Text to token ids and back, as the model reads them. */
export interface EngineTokenizer {
  /** Where the vocabulary comes from, for reports. */
  source: string;
  /** A text as the model's input (microGPT: [BOS, chars…]; a real model: its tokenizer's post-processor decides). */
  encode(text: string): number[];
  /** A text as a scored document, any length (scored in windows of the context): microGPT's [BOS, chars…, BOS]. */
  document(text: string): number[];
  /** How people read one token (its text piece; microGPT's BOS is "BOS"). */
  label(id: number): string;
  decode(ids: readonly number[]): string;
}

/** Positions a model has already seen, so generation runs only the new token. Opaque to callers. */
export interface RunState {
  readonly length: number;
  readonly capacity: number;
  /** Gives back what the state holds (a KV cache in the kernels' memory); the state is not used afterwards. */
  release?(): void;
}

export interface RunOptions {
  hooks?: readonly Hook[];
  /**
   * Logits of every new position (default), only of the last, or none: a run
   * read through its hooks alone (attention patterns), which an engine may end
   * after the last point a hook wants, so the head is never multiplied.
   */
  logits?: LogitRows;
  /** Continue after the positions this state holds (generation); a fresh run without it. */
  state?: RunState;
  /**
   * Start at block `layer` from the residual stream entering it [T, d_model]
   * (what its hook_resid_pre showed in an earlier run of the same ids),
   * skipping the embedding and the blocks before: an intervention at layer L
   * leaves everything before it unchanged, so it need not be computed again.
   * Not with `state`.
   */
  from?: { layer: number; resid: Activation };
}

/** Which positions' logits a run returns. */
export type LogitRows = 'all' | 'last' | 'none';

/** Rows of logits a run of `n` new positions returns. */
export const logitRows = (rows: LogitRows | undefined, n: number): number =>
  rows === 'last' ? 1 : rows === 'none' ? 0 : n;

export interface RunResult {
  /** [rows, vocab] row-major (empty with logits 'none'). */
  logits: Activation;
  rows: number;
}

export interface Engine {
  readonly info: EngineInfo;
  /** null when a model folder has no tokenizer: ids must be given. */
  readonly tokenizer: EngineTokenizer | null;
  /** The id that starts a sequence (microGPT's BOS, a real model's bos_token_id), if any. */
  readonly bos: number | null;
  /** The id that ends generation (microGPT: BOS again; a real model's eos_token_id), if any. */
  readonly eos: number | null;
  /** Ids random tokens may be drawn from, [0, drawFrom): the vocabulary less special tokens where known. */
  readonly drawFrom: number;
  /** Every hook point, in forward order. */
  hookPoints(): HookPointInfo[];
  run(ids: readonly number[], opts?: RunOptions): RunResult;
  /**
   * Several runs of the same ids (from the same start) that differ only in
   * their hooks — patching each head in turn — in one pass over the weights
   * where the engine can batch them. Each result equals `run` with that
   * variant's hooks, bit for bit.
   */
  runVariants(
    ids: readonly number[],
    variants: ReadonlyArray<readonly Hook[]>,
    opts?: Pick<RunOptions, 'logits' | 'from'>,
  ): RunResult[];
  /** A residual stream [rows, d_model] read out as logits the way the last layer's is: final norm, then the head. */
  unembed(resid: Activation, rows: number): Activation;
  /** Room for `capacity` positions, for generation. */
  newState(capacity: number): RunState;
  /**
   * Done with the model: its weights leave the kernels' memory and, with the
   * last model using them, the worker threads stop. Not used afterwards.
   */
  close(): void;
}
