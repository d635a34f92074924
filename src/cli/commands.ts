/** eval, sample and trace: any model --model or --family names, through one engine. */
import { encodeDocuments, evalSteps } from '../explain/eval.js';
import { sampleSteps } from '../explain/sample.js';
import { traceSteps } from '../explain/trace.js';
import { inputIds } from '../engine/index.js';
import { renderJson } from '../render/json.js';
import { renderTraceReport } from '../render/trace.js';
import { renderEvalReport, renderSampleReport } from '../render/training.js';
import { BUILTIN_CORPUS, builtinNames, readDocs } from '../model/corpus.js';
import { openEngine, type EngineOptions } from './engine.js';
import { MicrogptError } from '../errors.js';
import { show, type OutputOptions } from './output.js';
import { INTERRUPTED, withProgress } from './progress.js';

export interface ModelOptions extends OutputOptions, EngineOptions {}

export interface SampleOptions extends ModelOptions {
  n?: number;
  temperature: number;
  explain?: boolean;
  prompt?: string;
  ids?: number[];
  maxTokens?: number;
}

/** Names drawn from a character model when -n is not given; a text model continues its prompt once. */
const DEFAULT_NAMES = 20;
/** Tokens generated for a text model when --max-tokens is not given. */
const DEFAULT_MAX_TOKENS = 20;

export async function runEval(opts: ModelOptions & { data?: string }): Promise<number> {
  const engine = await openEngine(opts);
  if (opts.data === undefined && !engine.info.endsWithEos)
    throw new MicrogptError('MG001', 'a model folder is scored on your text: give --data FILE (one document per line)');
  const label = opts.data ?? BUILTIN_CORPUS;
  const docs = encodeDocuments(engine, opts.data === undefined ? builtinNames() : readDocs(opts.data), label);
  // In-sample when the checkpoint says it was trained on this very corpus.
  const report = await withProgress(
    'eval',
    evalSteps(engine, docs, { data: label, inSample: engine.info.trainedOn === label }),
  );
  show(
    opts,
    () => renderJson('eval', { model: opts.model ?? null, data: label }, report),
    (style) => renderEvalReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}

export async function runSample(opts: SampleOptions): Promise<number> {
  if (opts.prompt !== undefined && opts.ids !== undefined)
    throw new MicrogptError('MG001', 'give the prompt as --prompt TEXT or as --ids, not both');
  const engine = await openEngine(opts);
  const names = engine.info.endsWithEos;
  if (names && (opts.prompt !== undefined || opts.ids !== undefined))
    throw new MicrogptError(
      'MG001',
      `${opts.prompt !== undefined ? '--prompt' : '--ids'} goes with a text model (--model DIR, a Hugging Face model folder); microGPT samples whole names from BOS`,
    );
  if (!names && opts.explain)
    throw new MicrogptError(
      'MG001',
      '--explain goes with microGPT names; a model folder prints each token with its probability',
    );
  if (!names && opts.prompt === undefined && opts.ids === undefined)
    throw new MicrogptError('MG001', 'a model folder continues a prompt: give --prompt TEXT or --ids 50,1000,7');
  const maxTokens = opts.maxTokens ?? (names ? engine.info.context : DEFAULT_MAX_TOKENS);
  // The prompt and at least one new token must fit the context.
  const prompt = names ? [engine.bos!] : inputIds(engine, opts.prompt, opts.ids, engine.info.context - 1);
  const n = opts.n ?? (names ? DEFAULT_NAMES : 1);
  const report = await withProgress(
    'sample',
    sampleSteps(engine, prompt, {
      n,
      maxTokens,
      temperature: opts.temperature,
      seed: opts.seed,
      explain: opts.explain === true,
    }),
  );
  const inputs = {
    model: opts.model ?? null,
    n,
    temperature: opts.temperature,
    seed: opts.seed,
    prompt: opts.prompt ?? null,
    ids: opts.ids ?? null,
    maxTokens,
  };
  show(
    opts,
    () => renderJson('sample', inputs, report),
    (style) => renderSampleReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}

export interface TraceOptions extends ModelOptions {
  lens?: boolean;
  ids?: number[];
  names?: string;
}

export async function runTrace(text: string | undefined, opts: TraceOptions): Promise<number> {
  if (text !== undefined && opts.ids !== undefined)
    throw new MicrogptError('MG001', 'give the input as text or as --ids, not both');
  if (text === undefined && opts.ids === undefined)
    throw new MicrogptError('MG001', 'trace needs an input: text (e.g. trace emma) or --ids 50,1000,7');
  const engine = await openEngine(opts);
  if (engine.info.endsWithEos && opts.ids !== undefined)
    throw new MicrogptError(
      'MG001',
      '--ids goes with --model DIR (a Hugging Face model folder); microGPT takes a name',
    );
  const ids = inputIds(engine, text, opts.ids);
  const predicted = engine.info.endsWithEos ? ids.length : ids.length - 1;
  if (predicted < 1)
    throw new MicrogptError(
      'MG086',
      `${text === undefined ? 'the input' : `"${text}"`} is ${ids.length} token; trace needs two or more (a prediction to score)`,
    );
  const names = opts.names?.split(',').map((n) => n.trim());
  const report = await withProgress('trace', traceSteps(engine, ids, text ?? '', { lens: opts.lens === true, names }));
  const inputs = {
    text: text ?? null,
    ids: opts.ids ?? null,
    names: names ?? null,
    model: opts.model ?? null,
    seed: opts.seed,
    lens: opts.lens === true,
  };
  show(
    opts,
    () => renderJson('trace', inputs, report),
    (style) => renderTraceReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}
