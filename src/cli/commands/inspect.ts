/**
 * microgpt inspect [PATH]: a model file or folder read from its headers (no
 * model code is loaded for it), or a microgpt checkpoint — or microGPT itself —
 * with every tensor's statistics.
 */
import { Argument, Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import { safe } from '../../render/escape.js';
import { examples, type CommandModule } from '../command.js';
import type { OutputOptions } from '../output.js';
import {
  contractsOption,
  familyOption,
  FORCE_HTML,
  forceOption,
  htmlOption,
  modelOption,
  outputOptions,
  seedOption,
} from '../presets.js';
import { checkModelKind, type Usage } from '../usage.js';

interface InspectOptions extends OutputOptions {
  model?: string;
  seed: number;
  family?: string;
  contracts?: string[];
  html?: string;
  force?: boolean;
  metadata?: boolean;
  verbose?: boolean;
  usage?: Usage;
}

export const inspect: CommandModule<InspectOptions> = {
  name: 'inspect',
  description:
    "what is in a model: a safetensors file, sharded index, GGUF file or model folder (headers only, any size), or a microgpt checkpoint with every tensor's statistics",
  args: [
    new Argument(
      '[path]',
      'model file or folder: *.safetensors, model.safetensors.index.json, *.gguf, or a folder with them (and config.json)',
    ),
  ],
  options: [
    modelOption('the same as PATH'),
    familyOption(
      'with a model file: read it as this family instead of detecting it; without one: a tiny model of this family instead of microGPT',
    ),
    contractsOption(),
    seedOption('seed of the untrained model when no path or --model is given'),
    new Option('--metadata', 'with a model file: also print the metadata key/values (large arrays summarised)'),
    new Option('-v, --verbose', 'with a model file: list every tensor, not one row per template'),
    htmlOption(
      'microgpt checkpoints: also write a self-contained HTML report (tensor table, weight heatmaps, pipeline)',
    ),
    forceOption(FORCE_HTML),
    ...outputOptions(),
  ],
  help: examples(
    [
      'microgpt inspect ~/models/Llama-3.2-1B            a Hugging Face model folder (config.json + safetensors)',
      "microgpt inspect model.safetensors.index.json     a sharded model: every shard's header",
      'microgpt inspect llama-2-7b.Q4_K_M.gguf --metadata',
      'microgpt inspect gpt2/model.safetensors -v --json',
      'microgpt inspect m.safetensors                    a checkpoint written by microgpt train',
      'microgpt inspect                                  microGPT itself, untrained (seed 42)',
    ],
    'Only headers are read: a 100 GB model costs what a 10 MB one does.',
  ),
  rules: {
    excludes: [
      { options: ['PATH', '--model'], what: 'the model' },
      { options: ['--seed', 'PATH'], why: '--seed makes an untrained model; PATH has its weights' },
      { options: ['--seed', '--model'], why: '--seed makes an untrained model; --model has its weights' },
    ],
    needs: { '--force': { with: ['--html'], why: 'it lets an existing file be replaced' } },
    fileOnly: {
      '--metadata':
        'goes with a model file (PATH: safetensors, GGUF, a folder); a microgpt checkpoint has no such metadata',
      '--verbose':
        'goes with a model file (PATH: safetensors, GGUF, a folder); a microgpt checkpoint always lists every tensor',
    },
    notForFile: { '--html': 'is for checkpoints written by microgpt train; for a model file use --json' },
  },
  run: ({ args, opts }) => runInspect(args[0] as string | undefined, opts),
};

const MAX_KEYS_NAMED = 12;

/** --metadata on a microgpt checkpoint: it has metadata, read into the report; say which keys rather than "none". */
async function refuseCheckpointMetadata(path: string): Promise<never> {
  const { openSafetensorsMetadata } = await import('../../formats/index.js');
  const all = [...openSafetensorsMetadata(path).keys()];
  // The keys come from the file: a few name it, a thousand would not fit one line.
  const keys = all.length > MAX_KEYS_NAMED ? [...all.slice(0, MAX_KEYS_NAMED), `… (${all.length} in all)`] : all;
  throw new MicrogptError(
    'MG001',
    `--metadata goes with a model file (PATH: safetensors, GGUF, a folder); this microgpt checkpoint holds the metadata keys ${keys.join(', ')}, which inspect reads into its report (family, architecture, training) rather than listing them — drop --metadata`,
  );
}

/**
 * `inspect [PATH]`: a model file or folder is read from its headers (no model
 * code is loaded for it); a microgpt checkpoint, or no path at all, goes to the
 * model itself with every tensor's statistics.
 */
async function runInspect(path: string | undefined, opts: InspectOptions): Promise<number> {
  const target = path ?? opts.model;
  const file = target !== undefined && !(await (await import('../engine.js')).isMicrogptCheckpoint(target));
  if (!file && target !== undefined && opts.usage?.given.has('--metadata')) await refuseCheckpointMetadata(target);
  checkModelKind(opts.usage, file);
  return file ? inspectFile(target!, opts) : inspectModel({ ...opts, model: target });
}

async function inspectModel(opts: InspectOptions): Promise<number> {
  const output = {
    path: opts.html ?? '',
    flag: '--html',
    force: opts.force === true,
    html: true,
    inputs: opts.model !== undefined ? [{ path: opts.model, flag: '--model' }] : [],
  };
  const [{ loadContracts }, { buildInspectReport }, { renderInspectReport }, { renderJson }, { openTaped }, { show }] =
    await Promise.all([
      import('../dirs.js'),
      import('../../explain/inspect.js'),
      import('../../render/inspect.js'),
      import('../../render/json.js'),
      import('../engine.js'),
      import('../output.js'),
    ]);
  const engine = await openTaped(opts);
  const contracts = await loadContracts(opts.contracts);
  // Checked once the checkpoint and contracts are read, so an input is named as one (MG044).
  if (opts.html !== undefined) (await import('../../outputs.js')).checkOutput(output);
  const report = buildInspectReport(engine, contracts.get(engine.info.family));
  if (opts.html !== undefined) {
    const [{ renderInspectHtml }, { writeOutput }] = await Promise.all([
      import('../../render/html.js'),
      import('../../outputs.js'),
    ]);
    const values = new Map([...engine.model.params].map(([name, t]) => [name, Array.from(t.data)]));
    writeOutput(output, renderInspectHtml(report, values));
    process.stderr.write(`wrote ${safe(opts.html)}\n`);
  }
  show(
    opts,
    () => renderJson('inspect', { model: opts.model ?? null, seed: opts.seed }, report),
    (style) => renderInspectReport(report, style),
  );
  // What is printed as ✗ (a tensor holding NaN or infinity) fails the command, as for a model file.
  return report.failedChecks > 0 ? 1 : 0;
}

/** A model file or folder, from its headers: what it holds, how it is laid out, what is wrong with it. */
async function inspectFile(path: string, opts: InspectOptions): Promise<number> {
  const [
    { fileContracts },
    { buildFileReport },
    { openModelFiles },
    { renderJsonPieces },
    { fileReportPieces },
    { show },
  ] = await Promise.all([
    import('../dirs.js'),
    import('../../explain/files/report.js'),
    import('../../formats/index.js'),
    import('../../render/json-pieces.js'),
    import('../../render/model-file.js'),
    import('../output.js'),
  ]);
  const { all, forced } = await fileContracts(opts);
  // The files' own records are not kept past the report: with 100,000 tensors they are 10 MB of the peak.
  const report = buildFileReport(openModelFiles(path, { fullArrays: false }), all, {
    metadata: opts.metadata,
    family: forced,
  });
  show(
    opts,
    () => renderJsonPieces('inspect', { path, family: opts.family ?? null, metadata: opts.metadata === true }, report),
    (style) => fileReportPieces(report, style, { verbose: opts.verbose }),
  );
  // What is printed as ✗ fails the command, as in validate.
  return report.failedChecks > 0 ? 1 : 0;
}
