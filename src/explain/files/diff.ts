import { float32Text } from './float32.js';
import { canDecode, streamPair, type TensorEntry } from '../../formats/index.js';
import type { DiffReport, FileReport } from './types.js';

/** Per-tensor value comparison over streamed values (compareValues). */
export interface ValueDiff {
  name: string;
  maxAbsDiff: number;
  rmse: number;
  cosine: number | null;
  identical: boolean;
}

const side = (r: FileReport): DiffReport['a'] => ({
  input: r.input,
  format: r.format,
  family: r.family,
  tensors: r.tensorCount,
  parameters: r.parameterCount,
  problems: r.problems,
});

/**
 * What differs between two models: tensors added, removed, reshaped or
 * re-typed; family, format, sizes and config fields; and, when computed,
 * the values of the tensors both hold.
 */
export function buildDiffReport(
  a: FileReport,
  b: FileReport,
  configA: Record<string, unknown> | null,
  configB: Record<string, unknown> | null,
  values: { diffs: ValueDiff[]; skipped: DiffReport['valuesSkipped'] } | null,
): DiffReport {
  const ta = new Map(a.tensors.map((t) => [t.name, t]));
  const tb = new Map(b.tensors.map((t) => [t.name, t]));
  const added = b.tensors.filter((t) => !ta.has(t.name)).map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype }));
  const removed = a.tensors
    .filter((t) => !tb.has(t.name))
    .map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype }));
  const reshaped: DiffReport['reshaped'] = [];
  const retyped: DiffReport['retyped'] = [];
  let same = 0;
  for (const t of a.tensors) {
    const u = tb.get(t.name);
    if (!u) continue;
    const shapeSame = t.shape.length === u.shape.length && t.shape.every((d, i) => d === u.shape[i]);
    if (!shapeSame) reshaped.push({ name: t.name, a: t.shape, b: u.shape });
    if (t.dtype !== u.dtype) retyped.push({ name: t.name, a: t.dtype, b: u.dtype });
    if (shapeSame && t.dtype === u.dtype) same++;
  }
  const configDifferences = differences(a, b, configA, configB);
  const identicalValues = values === null || (values.diffs.every((d) => d.identical) && values.skipped.length === 0);
  return {
    kind: 'diff',
    a: side(a),
    b: side(b),
    added,
    removed,
    reshaped,
    retyped,
    same,
    configDifferences,
    values: values?.diffs ?? null,
    valuesChanged: (values?.diffs ?? []).filter((d) => !d.identical).map((d) => d.name),
    valuesSkipped: values?.skipped ?? [],
    identical:
      !a.problems.length &&
      !b.problems.length &&
      !added.length &&
      !removed.length &&
      !reshaped.length &&
      !retyped.length &&
      !configDifferences.length &&
      identicalValues,
  };
}

function differences(
  a: FileReport,
  b: FileReport,
  ca: Record<string, unknown> | null,
  cb: Record<string, unknown> | null,
): DiffReport['configDifferences'] {
  const out: DiffReport['configDifferences'] = [];
  const cmp = (field: string, x: string | null, y: string | null) => {
    if (x !== y) out.push({ field, a: x, b: y });
  };
  cmp('format', a.format, b.format);
  cmp('family', a.family, b.family);
  cmp('GGUF file type', a.gguf?.fileType?.name ?? null, b.gguf?.fileType?.name ?? null);
  const sa = new Map(a.sizes.map((s) => [s.field, s.value]));
  const sb = new Map(b.sizes.map((s) => [s.field, s.value]));
  for (const f of new Set([...sa.keys(), ...sb.keys()])) {
    const x = sa.get(f),
      y = sb.get(f);
    // GGUF stores eps and θ as float32: 1e-5 there is 0.000009999999747…, the same number a config.json's 1e-5 is.
    if (x !== undefined && y !== undefined && Math.fround(x) === Math.fround(y)) continue;
    cmp(`size ${f}`, x === undefined ? null : float32Text(x), y === undefined ? null : float32Text(y));
  }
  cmp(
    'output head',
    a.tied.value === null ? null : a.tied.value ? 'tied' : 'untied',
    b.tied.value === null ? null : b.tied.value ? 'tied' : 'untied',
  );
  if (ca && cb) {
    const keys = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
    for (const k of keys) {
      const x = Object.hasOwn(ca, k) ? JSON.stringify(ca[k]) : null;
      const y = Object.hasOwn(cb, k) ? JSON.stringify(cb[k]) : null;
      cmp(`config.json ${k}`, x, y);
    }
  }
  return out;
}

/** Tensors both files hold with the same shape: the ones whose values can be compared. */
export function comparablePairs(
  a: readonly TensorEntry[],
  b: readonly TensorEntry[],
): Array<[TensorEntry, TensorEntry]> {
  const tb = new Map(b.map((t) => [t.name, t]));
  return a.flatMap((t) => {
    const u = tb.get(t.name);
    return u && u.elements === t.elements && u.shape.every((d, i) => d === t.shape[i])
      ? [[t, u] as [TensorEntry, TensorEntry]]
      : [];
  });
}

/** The values of every comparable pair that can be decoded, streamed; the others named with why they were skipped. */
export function compareValues(a: readonly TensorEntry[], b: readonly TensorEntry[]) {
  const pairs = comparablePairs(a, b);
  const decodable = ([x, y]: [TensorEntry, TensorEntry]) => canDecode(x.dtype) && canDecode(y.dtype);
  const skipped = pairs
    .filter((p) => !decodable(p))
    .map(([x, y]) => ({ name: x.name, why: `${x.dtype} vs ${y.dtype}: only F32, F64, F16 and BF16 are decoded` }));
  const diffs = pairs.filter(decodable).map(([x, y]) => valueDiff(x.name, (each) => streamPair(x, y, each)));
  return { diffs, skipped };
}

/** max |Δ|, RMSE and cosine similarity over streamed chunks. */
function valueDiff(
  name: string,
  stream: (each: (a: Float64Array, b: Float64Array, n: number) => void) => void,
): ValueDiff {
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
