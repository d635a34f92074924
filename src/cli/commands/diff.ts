/** microgpt diff: what differs between two models (files or folders); --values compares the numbers. */
import { Argument, Option } from 'commander';
import { MicrogptError } from '../../errors.js';
import { examples, type CommandModule } from '../command.js';
import type { OutputOptions } from '../output.js';
import { contractsOption, FAMILY_OF_FILE, familyOption, outputOptions } from '../presets.js';

interface DiffOptions extends OutputOptions {
  family?: string;
  contracts?: string[];
  values?: boolean;
}

export const diff: CommandModule<DiffOptions> = {
  name: 'diff',
  description:
    'what differs between two models (files or folders): tensors added, removed, reshaped, re-typed; family, sizes and config; --values compares the numbers',
  args: [new Argument('<a>', 'first model file or folder'), new Argument('<b>', 'second model file or folder')],
  options: [
    new Option(
      '--values',
      'also stream the tensors both hold (same shape, F32/F64/F16/BF16; files up to 2 GB): max |Δ|, RMSE and cosine per tensor',
    ),
    familyOption(FAMILY_OF_FILE),
    contractsOption(),
    ...outputOptions(),
  ],
  help: examples([
    'microgpt diff base/ finetuned/',
    'microgpt diff m1.safetensors m2.safetensors --values',
    'microgpt diff model-f16.gguf model-Q4_K_M.gguf --json',
  ]),
  run: ({ args, opts }) => runDiff(args[0] as string, args[1] as string, opts),
};

/** --values reads every byte of both files: bounded so a mistaken pair of 70B models does not run for an hour. */
const VALUES_LIMIT = 2 * 1024 ** 3;

async function runDiff(a: string, b: string, opts: DiffOptions): Promise<number> {
  const [
    { buildDiffReport, compareValues },
    { renderDiffReport },
    { openModelFiles },
    { buildFileReport },
    { fileContracts },
    { renderJsonPieces },
    { show },
  ] = await Promise.all([
    import('../../explain/files/diff.js'),
    import('../../render/diff.js'),
    import('../../formats/index.js'),
    import('../../explain/files/report.js'),
    import('../dirs.js'),
    import('../../render/json-pieces.js'),
    import('../output.js'),
  ]);
  const fa = openModelFiles(a);
  const fb = openModelFiles(b);
  const { all, forced } = await fileContracts(opts);
  const ra = buildFileReport(fa, all, { family: forced });
  const rb = buildFileReport(fb, all, { family: forced });
  let values: Parameters<typeof buildDiffReport>[4] = null;
  if (opts.values) {
    for (const r of [ra, rb])
      if (r.totalBytes > VALUES_LIMIT)
        throw new MicrogptError(
          'MG067',
          `${r.input}: ${r.totalBytes} bytes is over the ${VALUES_LIMIT}-byte limit of diff --values; compare structure without --values`,
        );
    values = compareValues(fa.tensors, fb.tensors);
  }
  const report = buildDiffReport(ra, rb, fa.config?.json ?? null, fb.config?.json ?? null, values);
  show(
    opts,
    () => renderJsonPieces('diff', { a, b, values: opts.values === true }, report),
    (style) => renderDiffReport(report, style),
  );
  // A broken header is a failed check: the comparison left tensors out.
  return report.a.problems.length || report.b.problems.length ? 1 : 0;
}
