/** microgpt validate: a model file or folder checked — headers, shards, shapes and names, config.json; --scan the values. */
import { Argument, Option } from 'commander';
import type { TensorEntry } from '../../formats/index.js';
import type { ScanResult } from '../../explain/files/validate.js';
import { examples, type CommandModule } from '../command.js';
import type { OutputOptions } from '../output.js';
import { contractsOption, FAMILY_OF_FILE, familyOption, outputOptions } from '../presets.js';

interface ValidateOptions extends OutputOptions {
  family?: string;
  contracts?: string[];
  scan?: boolean;
}

export const validate: CommandModule<ValidateOptions> = {
  name: 'validate',
  description:
    'check a model file or folder: header integrity, shards, shapes and names against the family contract, config.json against the tensors; --scan also streams the values',
  args: [
    new Argument(
      '<path>',
      'model file or folder: *.safetensors, model.safetensors.index.json, *.gguf, or a folder with them',
    ),
  ],
  options: [
    new Option(
      '--scan',
      'also stream every float tensor (F32, F64, F16, BF16) and report NaN, infinite and all-zero tensors (bounded memory)',
    ),
    familyOption(FAMILY_OF_FILE),
    contractsOption(),
    ...outputOptions(),
  ],
  help: examples(
    [
      'microgpt validate ~/models/Llama-2-7b-hf',
      'microgpt validate model.safetensors --scan',
      'microgpt validate llama-2-7b.Q4_K_M.gguf --json',
    ],
    'Exit 0 when sound, 1 when a check fails (one line per failure), 2 when the file cannot be read.',
  ),
  run: ({ args, opts }) => runValidate(args[0] as string, opts),
};

async function runValidate(path: string, opts: ValidateOptions): Promise<number> {
  const [
    { buildValidateReport },
    { renderValidateReport },
    { buildFileReport },
    { openModelFiles, CACHE_FORMAT },
    { fileContracts },
    { renderJson },
    { show },
  ] = await Promise.all([
    import('../../explain/files/validate.js'),
    import('../../render/validate.js'),
    import('../../explain/files/report.js'),
    import('../../formats/index.js'),
    import('../dirs.js'),
    import('../../render/json.js'),
    import('../output.js'),
  ]);
  const files = openModelFiles(path, { validating: true });
  const { all, forced } = await fileContracts(opts);
  const report = buildFileReport(files, all, { family: forced });
  const scan = opts.scan ? await scanFiles(files.tensors, files.stMetadata.get('format') === CACHE_FORMAT) : null;
  const v = buildValidateReport(report, scan);
  show(
    opts,
    () => renderJson('validate', { path, scan: opts.scan === true, family: opts.family ?? null }, v),
    (style) => renderValidateReport(v, style),
  );
  return v.sound ? 0 : 1;
}

/**
 * A microgpt cache's hook_attn_scores [batch, head, query, key] hold −inf where
 * the causal mask put it, as TransformerLens stores them: the scan counts those
 * positions as the mask (it checks the positions; the metadata only says where to look).
 */
const causalScores = (t: TensorEntry, cache: boolean): boolean =>
  cache && t.name.endsWith('.hook_attn_scores') && t.shape.length === 4 && t.shape[2] === t.shape[3];

/** Streams every decodable tensor (bounded memory), with a progress bar on a terminal. */
async function scanFiles(tensors: readonly TensorEntry[], cache: boolean): Promise<ScanResult> {
  const { canDecode, scanTensor } = await import('../../formats/index.js');
  const todo = tensors.filter((t) => canDecode(t.dtype));
  const total = todo.reduce((a, t) => a + t.bytes, 0);
  const bar = await progressBar(total);
  const result: ScanResult = {
    scanned: [],
    skipped: tensors.filter((t) => !canDecode(t.dtype)).map((t) => ({ name: t.name, dtype: t.dtype })),
    bytes: 0,
  };
  for (const t of todo) {
    result.scanned.push({ name: t.name, counts: scanTensor(t, (n) => bar?.increment(n), causalScores(t, cache)) });
    result.bytes += t.bytes;
  }
  bar?.stop();
  return result;
}

/** A byte progress bar on stderr, only when stderr is a terminal. */
async function progressBar(total: number): Promise<{ increment(n: number): void; stop(): void } | null> {
  if (!process.stderr.isTTY || total === 0) return null;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'scanning [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: (n) => bar.increment(n), stop: () => bar.stop() };
}
