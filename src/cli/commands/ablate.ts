/** microgpt ablate: causal evidence on any model --model or --family names — each head and MLP removed in turn. */
import { Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import type { Engine } from '../../engine/index.js';
import type { AblationReport } from '../../explain/ablation.js';
import { examples, type CommandModule } from '../command.js';
import type { EngineOptions } from '../engine.js';
import { integerIn } from '../options.js';
import type { OutputOptions } from '../output.js';
import { INTERRUPTED, withWork } from '../progress.js';
import {
  contractsOption,
  dataOption,
  familyOption,
  headsOption,
  modelOption,
  outputOptions,
  seedOption,
  THREADS_FILE_ONLY,
  threadsOption,
} from '../presets.js';

export interface AblateOptions extends OutputOptions, EngineOptions {
  data?: string;
  text?: string;
  heads?: string;
  count: number;
}

/** The largest -n: a probe of a longer corpus is always part of it. */
const MAX_COUNT = 100_000;

export const ablate: CommandModule<AblateOptions> = {
  name: 'ablate',
  description:
    'remove each head and MLP in turn (set to zero, or to its mean) and rank them by how much the loss rises',
  options: [
    modelOption(),
    threadsOption(),
    familyOption(),
    contractsOption(),
    dataOption(),
    new Option('--text <text>', 'one text (a name for microGPT) instead of a corpus'),
    new Option('-n, --count <n>', 'corpus names to use (microGPT and tiny families): one in every k, at most n')
      .argParser(integerIn(1, MAX_COUNT))
      .default(200),
    headsOption('also ablate these together: LAYER.HEAD (e.g. 0.1,0.3) or LAYER.mlp'),
    seedOption(),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt ablate --model m.safetensors',
    'microgpt ablate --model m.safetensors --heads 0.1,0.3',
    'microgpt ablate --family llama --text emma',
    'microgpt ablate --model ~/models/gpt2 --text "the cat sat on the mat"',
  ]),
  rules: {
    fileOnly: THREADS_FILE_ONLY,
    excludes: [
      { options: ['--text', '--data'] },
      { options: ['--text', '--count'], why: '--count picks corpus names; --text is one text' },
      { options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' },
    ],
    fileNeeds: [
      { anyOf: ['--text', '--data'], hint: 'a model folder is ablated on your text: give --text TEXT or --data FILE' },
    ],
    notForFile: {
      '--count':
        'does not apply to --model DIR (a model folder): it picks corpus names for microGPT and the tiny families; drop it',
    },
  },
  run: ({ opts }) => runAblate(opts),
};

/** The documents to ablate on: --text, --data, or (for microGPT names) a fixed probe of the built-in corpus. */
async function ablationDocs(
  engine: Engine,
  opts: AblateOptions,
): Promise<{ docs: number[][]; data: string; sample?: AblationReport['sample'] }> {
  const [{ encodeDocuments }, { BUILTIN_CORPUS, builtinNames, readDocs }] = await Promise.all([
    import('../../explain/eval.js'),
    import('../../model/corpus.js'),
  ]);
  const names = engine.info.endsWithEos;
  if (opts.text !== undefined) return { docs: encodeDocuments(engine, [opts.text], '--text'), data: `"${opts.text}"` };
  if (!names) return { docs: encodeDocuments(engine, readDocs(opts.data!), opts.data!), data: opts.data! };
  const { probeNames, probeStep } = await import('../../explain/heads.js');
  const label = opts.data ?? BUILTIN_CORPUS;
  const corpus = opts.data === undefined ? builtinNames() : readDocs(opts.data);
  const probe = probeNames(corpus, opts.count);
  // The clean loss is eval's only when the probe is the whole corpus: say which names it is, and the -n that makes it all.
  const sample =
    probe.length === corpus.length
      ? null
      : {
          used: probe.length,
          of: corpus.length,
          every: probeStep(corpus.length, opts.count),
          countForAll: corpus.length <= MAX_COUNT ? corpus.length : null,
        };
  return { docs: encodeDocuments(engine, probe, label), data: `${label} (${probe.length} names)`, sample };
}

async function runAblate(opts: AblateOptions): Promise<number> {
  const [{ buildAblationReport, parseComponents }, { renderAblationReport }, { renderJson }, { openEngine }, { show }] =
    await Promise.all([
      import('../../explain/ablation.js'),
      import('../../render/ablation.js'),
      import('../../render/json.js'),
      import('../engine.js'),
      import('../output.js'),
    ]);
  const engine = await openEngine(opts);
  const { docs, data, sample } = await ablationDocs(engine, opts);
  if (docs.some((d) => d.length < 2))
    throw new MicrogptError('MG086', 'every text needs two or more tokens (a next token to predict)');
  const together = opts.heads !== undefined ? parseComponents(opts.heads, engine.info) : undefined;
  const report = await withWork('ablate', (work) =>
    buildAblationReport(engine, docs, { data, sample, together, work }),
  );
  show(
    opts,
    () =>
      renderJson(
        'ablate',
        {
          model: opts.model ?? null,
          family: opts.family ?? null,
          data: opts.data ?? null,
          text: opts.text ?? null,
          heads: opts.heads ?? null,
          seed: opts.seed,
        },
        report,
      ),
    (style) => renderAblationReport(report, style),
  );
  return report.interrupted ? INTERRUPTED : 0;
}
