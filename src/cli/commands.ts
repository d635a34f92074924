import { ContractSet } from '../contracts/index.js';
import { buildTraceReport } from '../explain/trace.js';
import { buildEvalReport, buildSampleReport } from '../explain/training.js';
import { renderJson } from '../render/json.js';
import { renderTraceReport } from '../render/trace.js';
import { renderEvalReport, renderSampleReport } from '../render/training.js';
import { corpusFrom } from './corpus.js';
import { extraContractDirs } from './dirs.js';
import { isRealModel, modelFrom } from './model.js';
import { MicrogptError } from '../errors.js';
import { show, type OutputOptions } from './output.js';

export interface SampleOptions extends ModelOptions {
  n: number;
  temperature: number;
  explain?: boolean;
  prompt?: string;
  ids?: number[];
  maxTokens?: number;
}

const isReal = (opts: { model?: string }) => isRealModel(opts.model);

export interface ModelOptions extends OutputOptions {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
}

export async function runEval(opts: ModelOptions & { data?: string }): Promise<number> {
  if (await isReal(opts)) return (await import('./real.js')).runRealEval(opts);
  const src = await modelFrom(opts);
  const { docs, label } = corpusFrom(opts.data);
  // In-sample when the checkpoint says it was trained on this very corpus.
  const report = buildEvalReport(src.model, src.tokenizer, docs, label, src.weightsFrom, src.training?.data === label);
  show(
    opts,
    () => renderJson('eval', { model: opts.model ?? null, data: label }, report),
    (style) => renderEvalReport(report, style),
  );
  return 0;
}

export async function runSample(opts: SampleOptions): Promise<number> {
  if (await isReal(opts)) return (await import('./real.js')).runGenerate(opts);
  const foreign = (['prompt', 'ids', 'maxTokens'] as const).find((k) => opts[k] !== undefined);
  if (foreign)
    throw new MicrogptError(
      'MG001',
      `${{ prompt: '--prompt', ids: '--ids', maxTokens: '--max-tokens' }[foreign]} goes with --model DIR (a Hugging Face model folder); microGPT samples whole names`,
    );
  const src = await modelFrom(opts);
  const report = buildSampleReport(src.model, src.tokenizer, {
    n: opts.n,
    temperature: opts.temperature,
    seed: opts.seed,
    weightsFrom: src.weightsFrom,
    explain: opts.explain === true,
  });
  show(
    opts,
    () =>
      renderJson(
        'sample',
        { model: opts.model ?? null, n: opts.n, temperature: opts.temperature, seed: opts.seed },
        report,
      ),
    (style) => renderSampleReport(report, style),
  );
  return 0;
}

export async function runTrace(text: string, opts: ModelOptions & { lens?: boolean }): Promise<number> {
  const report = (await isReal(opts))
    ? await (await import('./real.js')).realTrace(text, opts)
    : await modelFrom(opts).then((src) =>
        buildTraceReport(src.model, src.tokenizer, text, src.weightsFrom, { lens: opts.lens === true }),
      );
  show(
    opts,
    () => renderJson('trace', { text, model: opts.model ?? null, seed: opts.seed, lens: opts.lens === true }, report),
    (style) => renderTraceReport(report, style),
  );
  return 0;
}
