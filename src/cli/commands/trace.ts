/** microgpt trace: the forward pass hook point by hook point, then the prediction at every position (and the lens). */
import { Argument, Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  familyOption,
  idsOption,
  modelOption,
  namesOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

export interface TraceOptions extends OutputOptions, EngineOptions {
  lens?: boolean;
  ids?: number[];
  names?: string[];
}

export const trace: CommandModule<TraceOptions> = {
  name: 'trace',
  description: 'the forward pass hook point by hook point, then the prediction at every position',
  args: [new Argument('[text]', 'input, e.g. emma (the model sees [BOS, e, m, m, a]); or --ids')],
  options: [
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    seedOption(),
    idsOption(),
    namesOption(),
    new Option(
      '--lens',
      'also the logit lens: the residual stream after every layer read out as next-token predictions',
    ),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt trace emma --model m.safetensors',
    'microgpt trace emma --model m.safetensors --lens',
    "microgpt trace emma --names 'blocks.0.attn.*'",
    'microgpt trace "the cat sat" --model ~/models/gpt2 --lens --names \'*resid_post\'',
    'microgpt trace mar --json',
  ]),
  rules: {
    excludes: [
      { options: ['TEXT', '--ids'], what: 'the input' },
      { options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' },
    ],
    requires: [{ anyOf: ['TEXT', '--ids'], hint: 'trace needs an input: text (e.g. trace emma) or --ids 50,1000,7' }],
    fileOnly: {
      ...THREADS_FILE_ONLY,
      '--ids': 'goes with --model DIR (a Hugging Face model folder); microGPT and the tiny families take a name',
    },
  },
  run: ({ args, opts }) => runTrace(args[0] as string | undefined, opts),
};

async function runTrace(text: string | undefined, opts: TraceOptions): Promise<number> {
  const [{ traceSteps }, { inputIds }, { renderJson }, { renderTraceReport }, { openEngine }, { show }, run] =
    await Promise.all([
      import('../../explain/trace.js'),
      import('../../engine/index.js'),
      import('../../render/json.js'),
      import('../../render/trace.js'),
      import('../engine.js'),
      import('../output.js'),
      import('../progress.js'),
    ]);
  const engine = await openEngine(opts);
  const ids = inputIds(engine, text, opts.ids);
  const predicted = engine.info.endsWithEos ? ids.length : ids.length - 1;
  if (predicted < 1)
    throw new MicrogptError(
      'MG086',
      `${text === undefined ? 'the input' : `"${text}"`} is ${ids.length} token; trace needs two or more (a prediction to score)`,
    );
  const names = opts.names;
  const report = await run.withProgress(
    'trace',
    traceSteps(engine, ids, text ?? '', { lens: opts.lens === true, names }),
  );
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
  return report.interrupted ? run.INTERRUPTED : 0;
}
