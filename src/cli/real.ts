/** sample and eval on a Hugging Face model folder, run by the float32 path. */
import { MicrogptError } from '../errors.js';
import { buildGenerateReport, buildRealEvalReport, buildRealTraceReport } from '../explain/real-model.js';
import type { TraceReport } from '../explain/trace.js';
import { readDocs } from '../model/corpus.js';
import { inputIds } from '../model/hf/load.js';
import { modelFolder } from './model.js';
import { renderJson } from '../render/json.js';
import { renderGenerateReport, renderRealEvalReport } from '../render/real-model.js';
import type { ModelOptions, SampleOptions } from './commands.js';
import { show } from './output.js';

/** Tokens generated when --max-tokens is not given. */
const DEFAULT_MAX_TOKENS = 20;

export async function runGenerate(opts: SampleOptions): Promise<number> {
  if (opts.explain)
    throw new MicrogptError(
      'MG001',
      '--explain goes with microGPT names; a model folder prints each token with its probability',
    );
  if (opts.prompt === undefined && opts.ids === undefined)
    throw new MicrogptError('MG001', 'a model folder continues a prompt: give --prompt TEXT or --ids 50,1000,7');
  const src = await modelFolder(opts);
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  // The prompt and at least one new token must fit the context.
  const prompt = inputIds(src, opts.prompt, opts.ids, src.spec.context - 1);
  const report = buildGenerateReport(src, prompt, { maxTokens, temperature: opts.temperature, seed: opts.seed });
  show(
    opts,
    () =>
      renderJson(
        'sample --model DIR',
        {
          model: opts.model!,
          prompt: opts.prompt ?? null,
          ids: opts.ids ?? null,
          maxTokens,
          temperature: opts.temperature,
          seed: opts.seed,
        },
        report,
      ),
    (style) => renderGenerateReport(report, style),
  );
  return 0;
}

export async function runRealEval(opts: ModelOptions & { data?: string }): Promise<number> {
  if (opts.data === undefined)
    throw new MicrogptError('MG001', 'a model folder is scored on your text: give --data FILE (one document per line)');
  const src = await modelFolder(opts);
  if (!src.tokenizer)
    throw new MicrogptError('MG085', `${src.path} has no tokenizer.json, so --data text cannot be turned into tokens`);
  const docs = readDocs(opts.data).map((d) => inputIds(src, d, undefined, Number.MAX_SAFE_INTEGER));
  const report = buildRealEvalReport(src, docs, opts.data);
  show(
    opts,
    () => renderJson('eval --model DIR', { model: opts.model!, data: opts.data! }, report),
    (style) => renderRealEvalReport(report, style),
  );
  return 0;
}

/** trace TEXT --model DIR: the text through the tokenizer (at least two tokens: one prediction to score). */
export async function realTrace(text: string, opts: ModelOptions & { lens?: boolean }): Promise<TraceReport> {
  const src = await modelFolder(opts);
  const ids = inputIds(src, text, undefined);
  if (ids.length < 2)
    throw new MicrogptError(
      'MG086',
      `"${text}" is ${ids.length} token; trace needs two or more (a prediction to score)`,
    );
  return buildRealTraceReport(src, ids, text, { lens: opts.lens === true });
}
