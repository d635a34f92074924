import { ContractSet } from '../contracts/index.js';
import { buildFileReport } from '../explain/files/report.js';
import { openModelFiles, type TensorEntry } from '../formats/index.js';
import type { ScanResult } from '../explain/files/validate.js';
import { renderJson } from '../render/json.js';
import { renderJsonPieces } from '../render/json-pieces.js';
import { renderFileReport } from '../render/model-file.js';
import { extraContractDirs } from './dirs.js';
import { show, type OutputOptions } from './output.js';

interface FileOptions extends OutputOptions {
  family?: string;
  contracts?: string[];
  metadata?: boolean;
  verbose?: boolean;
  html?: string;
}

/** The contracts a file is read against, and the family --family names (read as that family, not detected). */
async function contractsFor(opts: FileOptions) {
  const set = await ContractSet.load(extraContractDirs(opts.contracts));
  return {
    all: set.families.map((f) => f.contract),
    forced: opts.family !== undefined ? set.get(opts.family) : undefined,
  };
}

export async function runInspectFile(path: string, opts: FileOptions): Promise<number> {
  if (opts.html !== undefined) {
    const { MicrogptError } = await import('../errors.js');
    throw new MicrogptError(
      'MG001',
      '--html is for checkpoints written by microgpt train; for a model file use --json',
    );
  }
  const { all, forced } = await contractsFor(opts);
  // The files' own records are not kept past the report: with 100,000 tensors they are 10 MB of the peak.
  const report = buildFileReport(openModelFiles(path, { fullArrays: false }), all, {
    metadata: opts.metadata,
    family: forced,
  });
  show(
    opts,
    () => renderJsonPieces('inspect', { path, family: opts.family ?? null, metadata: opts.metadata === true }, report),
    (style) => renderFileReport(report, style, { verbose: opts.verbose }),
  );
  // What is printed as ✗ fails the command, as in validate.
  return report.failedChecks > 0 ? 1 : 0;
}

export async function runValidate(path: string, opts: FileOptions & { scan?: boolean }): Promise<number> {
  const [{ buildValidateReport }, { renderValidateReport }] = await Promise.all([
    import('../explain/files/validate.js'),
    import('../render/validate.js'),
  ]);
  const files = openModelFiles(path, { validating: true });
  const { all, forced } = await contractsFor(opts);
  const report = buildFileReport(files, all, { family: forced });
  const scan = opts.scan ? await scanFiles(files.tensors) : null;
  const v = buildValidateReport(report, scan);
  show(
    opts,
    () => renderJson('validate', { path, scan: opts.scan === true, family: opts.family ?? null }, v),
    (style) => renderValidateReport(v, style),
  );
  return v.sound ? 0 : 1;
}

/** Streams every decodable tensor (bounded memory), with a progress bar on a terminal. */
async function scanFiles(tensors: readonly TensorEntry[]): Promise<ScanResult> {
  const { canDecode, scanTensor } = await import('../formats/index.js');
  const todo = tensors.filter((t) => canDecode(t.dtype));
  const total = todo.reduce((a, t) => a + t.bytes, 0);
  const bar = await progressBar(total);
  const result: ScanResult = {
    scanned: [],
    skipped: tensors.filter((t) => !canDecode(t.dtype)).map((t) => ({ name: t.name, dtype: t.dtype })),
    bytes: 0,
  };
  for (const t of todo) {
    result.scanned.push({ name: t.name, counts: scanTensor(t, (n) => bar?.increment(n)) });
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

/** --values reads every byte of both files: bounded so a mistaken pair of 70B models does not run for an hour. */
const VALUES_LIMIT = 2 * 1024 ** 3;

export async function runDiff(a: string, b: string, opts: FileOptions & { values?: boolean }): Promise<number> {
  const [{ buildDiffReport, comparablePairs }, { renderDiffReport }, { canDecode, streamPair }, { MicrogptError }] =
    await Promise.all([
      import('../explain/files/diff.js'),
      import('../render/diff.js'),
      import('../formats/index.js'),
      import('../errors.js'),
    ]);
  const fa = openModelFiles(a);
  const fb = openModelFiles(b);
  const { all, forced } = await contractsFor(opts);
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
