/** microgpt sample: names from microGPT (or a tiny family, or a checkpoint), or a model folder's continuation of a prompt. */
import { Option } from 'commander';
import { RECIPE } from '../../model/recipe.js';
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import { integerIn, numberIn } from '../options.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  familyOption,
  idsOption,
  modelOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

export interface SampleOptions extends OutputOptions, EngineOptions {
  count?: number;
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

export const sample: CommandModule<SampleOptions> = {
  name: 'sample',
  description: 'generate names; --explain shows how every character was chosen',
  options: [
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    new Option('-n, --count <n>', 'how many samples (default: 20 names; 1 continuation for a model folder)').argParser(
      integerIn(1, 10_000),
    ),
    new Option(
      '--temperature <t>',
      'divide the logits by t before softmax (lower = safer; 0 = greedy, always the likeliest)',
    )
      .argParser(numberIn(0, 100, true))
      .default(RECIPE.temperature),
    seedOption('seed of the draws (and of the untrained model without --model)'),
    new Option('--explain', 'for every character: the top candidates before and after temperature, and the one drawn'),
    new Option('--prompt <text>', 'with --model DIR (a Hugging Face model folder): the text to continue'),
    idsOption('with --model DIR: the prompt as token ids, used exactly as given'),
    new Option(
      '--max-tokens <n>',
      "tokens to generate at most (default: the model's context for names, 20 for a model folder)",
    ).argParser(integerIn(1, 100_000)),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt sample --model m.safetensors',
    'microgpt sample --model m.safetensors -n 3 --explain',
    'microgpt sample --model m.safetensors --temperature 1.0 --seed 7',
    'microgpt sample --model ~/models/gpt2 --prompt "The cat" --max-tokens 30 --temperature 0',
  ]),
  rules: {
    excludes: [{ options: ['--prompt', '--ids'], what: 'the prompt' }],
    fileOnly: {
      ...THREADS_FILE_ONLY,
      '--prompt':
        'goes with a text model (--model DIR, a Hugging Face model folder); microGPT samples whole names from BOS',
      '--ids':
        'goes with a text model (--model DIR, a Hugging Face model folder); microGPT samples whole names from BOS',
    },
    notForFile: {
      '--explain': 'goes with microGPT names; a model folder (--model DIR) prints each token with its probability',
    },
    fileNeeds: [
      {
        anyOf: ['--prompt', '--ids'],
        hint: 'a model folder continues a prompt: give --prompt TEXT or --ids 50,1000,7',
      },
    ],
  },
  run: ({ opts }) => runSample(opts),
};

async function runSample(opts: SampleOptions): Promise<number> {
  const [{ sampleSteps }, { inputIds }, { renderJson }, { renderSampleReport }, { openEngine }, { show }, run] =
    await Promise.all([
      import('../../explain/sample.js'),
      import('../../engine/index.js'),
      import('../../render/json.js'),
      import('../../render/training.js'),
      import('../engine.js'),
      import('../output.js'),
      import('../progress.js'),
    ]);
  const engine = await openEngine(opts);
  const names = engine.info.endsWithEos;
  const maxTokens = opts.maxTokens ?? (names ? engine.info.context : DEFAULT_MAX_TOKENS);
  // The prompt and at least one new token must fit the context.
  const prompt = names ? [engine.bos!] : inputIds(engine, opts.prompt, opts.ids, engine.info.context - 1);
  const n = opts.count ?? (names ? DEFAULT_NAMES : 1);
  const report = await run.withProgress(
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
  return report.interrupted ? run.INTERRUPTED : 0;
}
