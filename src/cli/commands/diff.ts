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
    { buildDiffReport, comparablePairs },
    { renderDiffReport },
    { canDecode, streamPair, openModelFiles },
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
    const pairs = comparablePairs(fa.tensors, fb.tensors);
    const skipped = pairs
      .filter(([x, y]) => !canDecode(x.dtype) || !canDecode(y.dtype))
      .map(([x, y]) => ({ name: x.name, why: `${x.dtype} vs ${y.dtype}: only F32, F64, F16 and BF16 are decoded` }));
    const diffs = pairs
      .filter(([x, y]) => canDecode(x.dtype) && canDecode(y.dtype))
      .map(([x, y]) => valueDiff(x.name, (each) => streamPair(x, y, each)));
    values = { diffs, skipped };
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

/** max |Δ|, RMSE and cosine similarity over streamed chunks. */
function valueDiff(name: string, stream: (each: (a: Float64Array, b: Float64Array, n: number) => void) => void) {
  let max = 0,
    sq = 0,
    dot = 0,
    na = 0,
    nb = 0,
    count = 0,
    identical = true;
  stream((a, b, n) => {
    for (let i = 0; i < n; i++) {
      const d = a[i] - b[i];
      if (!Object.is(a[i], b[i])) identical = false;
      if (Math.abs(d) > max || d !== d) max = d !== d ? NaN : Math.max(max, Math.abs(d));
      sq += d * d;
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    count += n;
  });
  return {
    name,
    maxAbsDiff: max,
    rmse: count ? Math.sqrt(sq / count) : 0,
    cosine: na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : null,
    identical,
  };
}
