/** microgpt eval: the mean per-document loss of any model over a corpus. */
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  dataOption,
  familyOption,
  modelOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

interface EvalOptions extends OutputOptions, EngineOptions {
  data?: string;
}

export const evalCommand: CommandModule<EvalOptions> = {
  name: 'eval',
  description: 'mean next-token loss of a model over a corpus, in nats per predicted token (and perplexity)',
  options: [
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    dataOption(),
    seedOption(),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt eval --model m.safetensors',
    'microgpt eval --model m.safetensors --data names.txt',
    'microgpt eval --model ~/models/Qwen2.5-0.5B --data notes.txt     perplexity of a real model',
  ]),
  rules: {
    fileOnly: THREADS_FILE_ONLY,
    excludes: [{ options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' }],
    fileNeeds: [
      { anyOf: ['--data'], hint: 'a model folder is scored on your text: give --data FILE (one document per line)' },
    ],
  },
  run: ({ opts }) => runEval(opts),
};

async function runEval(opts: EvalOptions): Promise<number> {
  const [{ evalSteps, encodeDocuments }, { renderJson }, { renderEvalReport }, corpus, { openEngine }, { show }, run] =
    await Promise.all([
      import('../../explain/eval.js'),
      import('../../render/json.js'),
      import('../../render/training.js'),
      import('../../model/corpus.js'),
      import('../engine.js'),
      import('../output.js'),
      import('../progress.js'),
    ]);
  const engine = await openEngine(opts);
  const label = opts.data ?? corpus.BUILTIN_CORPUS;
  const docs = encodeDocuments(
    engine,
    opts.data === undefined ? corpus.builtinNames() : corpus.readDocs(opts.data),
    label,
  );
  // In-sample when the checkpoint says it was trained on this very corpus.
  const inSample = engine.info.trainedOn === label;
  const report = await run.withProgress('eval', evalSteps(engine, docs, { data: label, inSample }));
  show(
    opts,
    () => renderJson('eval', { model: opts.model ?? null, data: label }, report),
    (style) => renderEvalReport(report, style),
  );
  return report.interrupted ? run.INTERRUPTED : 0;
}
