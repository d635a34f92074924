import { ContractSet } from '../contracts/index.js';
import { buildTraceReport } from '../explain/trace.js';
import { buildEvalReport, type SampleReport } from '../explain/training.js';
import { sampleNames } from '../model/index.js';
import { renderJson } from '../render/json.js';
import { renderTraceReport } from '../render/trace.js';
import { renderEvalReport, renderSampleReport } from '../render/training.js';
import { corpusFrom } from './corpus.js';
import { extraContractDirs } from './dirs.js';
import { modelFrom } from './model.js';
import { show, type OutputOptions } from './output.js';

interface ModelOptions extends OutputOptions {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
}

export async function runEval(opts: ModelOptions & { data?: string }): Promise<number> {
  const src = await modelFrom(opts);
  const { docs, label } = corpusFrom(opts.data);
  const report = buildEvalReport(src.model, src.tokenizer, docs, label, src.weightsFrom);
  show(
    opts,
    () => renderJson('eval', { model: opts.model ?? null, data: label }, report),
    (style) => renderEvalReport(report, style),
  );
  return 0;
}

export async function runSample(
  opts: ModelOptions & { n: number; temperature: number; explain?: boolean },
): Promise<number> {
  const src = await modelFrom(opts);
  const names = sampleNames(src.model, src.tokenizer, opts.n, opts.temperature, opts.seed);
  const report: SampleReport = {
    kind: 'sample',
    weightsFrom: src.weightsFrom,
    seed: opts.seed,
    temperature: opts.temperature,
    names,
    explain: opts.explain === true,
  };
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

export async function runTrace(text: string, opts: ModelOptions): Promise<number> {
  const src = await modelFrom(opts);
  const report = buildTraceReport(src.model, src.tokenizer, text, src.weightsFrom);
  show(
    opts,
    () => renderJson('trace', { text, model: opts.model ?? null, seed: opts.seed }, report),
    (style) => renderTraceReport(report, style),
  );
  return 0;
}
